// Reading a shard file back (read_shard, shard_file.h). A shard is data a
// user may have edited, damaged or received from another version, so every
// line is held to what the writer produces and to what a sweep's counts
// must satisfy; anything else is `file:line:col: what is wrong`.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>

#include "cli/sweep/shard_file.h"
#include "cli/sweep/shard_format.h"
#include "model/time.h"
#include "sim/units.h"

namespace tcpsim::sweep {

namespace {

// An error at a place in the file; col 0 when it is about the whole line.
struct Bad {
  std::size_t line, col;
  std::string what;
};

struct Word {
  std::string_view text;
  std::size_t col;  // 1-based
};

constexpr std::uint64_t kRunCountMax = UINT32_MAX;  // a run's own counts are 32 bits (scenario::Outcome)

// A line's words, separated by one space each as the writer puts them.
std::vector<Word> split_words(std::string_view line, std::size_t n) {
  if (line.empty()) throw Bad{n, 0, "empty line"};
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7f)
      throw Bad{n, i + 1,
                fmt::format("control character 0x{:02x} (a shard's fields are percent-encoded)", c)};
  }
  std::vector<Word> w;
  for (std::size_t start = 0;;) {
    const std::size_t sp = line.find(' ', start);
    const std::size_t end = sp == std::string_view::npos ? line.size() : sp;
    if (end == start) throw Bad{n, start + 1, "expected a word here (words are separated by one space)"};
    w.push_back({line.substr(start, end - start), start + 1});
    if (sp == std::string_view::npos) return w;
    start = sp + 1;
  }
}

template <class T>
T number(const Word& w, std::size_t n, std::string_view what) {
  T v{};
  const auto* end = w.text.data() + w.text.size();
  auto [p, ec] = std::from_chars(w.text.data(), end, v);
  if (ec != std::errc() || p != end || w.text.empty())
    throw Bad{n, w.col,
              fmt::format("{}: expected a whole number that fits in 64 bits, found '{}'", what, w.text)};
  return v;
}

// A percent-encoded field decoded. Only a path may hold control
// characters (the scenario's, printed escaped: report.h); in a setting, a
// profile or an axis they are an edit, refused before anything prints them.
std::string field(const Word& w, std::size_t n, bool control_ok = false) {
  auto d = percent_decode(w.text);
  if (auto* at = std::get_if<std::size_t>(&d))
    throw Bad{n, w.col + *at, "bad percent escape: expected % and two hex digits"};
  std::string s = std::get<std::string>(std::move(d));
  for (unsigned char c : s)
    if (!control_ok && (c < 0x20 || c == 0x7f))
      throw Bad{n, w.col,
                fmt::format("control character 0x{:02x} in '{}' (no sweep writes one here)", c, w.text)};
  return s;
}

// The value of a header line, held to the rule `tcpsim sweep` applies to
// the option (spec.h): a message at the value otherwise.
template <class T>
T checked(std::variant<T, std::string> v, const Word& w, std::size_t n) {
  if (auto* e = std::get_if<std::string>(&v)) throw Bad{n, w.col, *e};
  return std::get<T>(std::move(v));
}

class Reader {
 public:
  explicit Reader(const std::string& text) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines_.push_back(l);
  }
  Shard read() {
    magic_and_format();
    header();
    for (std::size_t i = 0; i < s_.points.size(); ++i) {
      point_line(i, expect("point", i));
      closed_line(i, expect("closed", i));
      counts_line(i, expect("transfer", i), kTransferList);
      counts_line(i, expect("goodput", i), kGoodputList);
      for (int m = 0; m < kMetricCount; ++m) {
        const std::string name(metric_name(static_cast<Metric>(m)));
        timing_line(i, expect(name.c_str(), i), s_.points[i].timings[m]);
      }
    }
    const std::string& last = next();
    not_again(split_words(last, n_));
    if (last != "end") throw Bad{n_, 0, fmt::format("expected 'end' here, found '{}'", last.substr(0, 40))};
    if (n_ < lines_.size()) throw Bad{n_ + 1, 0, "text after 'end'"};
    return std::move(s_);
  }

 private:
  // The next line; a file that ends first was cut short.
  const std::string& next() {
    if (n_ >= lines_.size()) throw Bad{n_, 0, "incomplete shard (no 'end' line): was it cut short?"};
    return lines_[n_++];
  }

  void magic_and_format() {
    const std::string magic = kShardMagic;
    const std::string first = lines_.empty() ? "" : next();
    if (first.rfind(magic + " ", 0) == 0)  // format 1 said its version here
      throw Bad{
          1, 0,
          fmt::format("shard format {}; this tcpsim reads shard format {} (run the shard again with it)",
                      first.substr(magic.size() + 1), kShardFormat)};
    if (first != magic)
      throw Bad{1, 0, fmt::format("not a tcpsim sweep shard: expected '{}' on the first line", magic)};
    const std::string& second = next();
    const auto w = split_words(second, n_);
    if (w[0].text != "format" || w.size() != 2)
      throw Bad{n_, 0, fmt::format("no 'format' line: this tcpsim reads shard format {}", kShardFormat)};
    if (w[1].text != std::to_string(kShardFormat))
      throw Bad{n_, w[1].col,
                fmt::format("shard format {}; this tcpsim reads shard format {}", w[1].text, kShardFormat)};
    s_.header = first + "\n" + second + "\n";
  }

  // The lines naming the sweep, through `shard K/N`.
  void header() {
    for (;;) {
      const std::string& line = next();
      const auto w = split_words(line, n_);
      const std::string key(w[0].text);
      if (key == "shard") return slice_line(w);
      if (key != "set" && key != "axis") {
        auto [it, fresh] = header_seen_.emplace(key, n_);
        if (!fresh)
          throw Bad{n_, 0, fmt::format("a second '{}' line (the first is line {})", key, it->second)};
      }
      header_line(key, w);
      s_.header += line + "\n";
    }
  }

  void one_value(const std::vector<Word>& w) const {
    if (w.size() != 2) throw Bad{n_, 0, fmt::format("expected '{} VALUE'", w[0].text)};
  }

  void header_line(const std::string& key, const std::vector<Word>& w) {
    if (key == "axis") return axis_line(w);
    one_value(w);
    SweepSpec& spec = s_.spec;
    if (key == "version") {
      // compared with the other shards' through the header
    } else if (key == "scenario") {
      spec.scenario = field(w[1], n_, /*control_ok=*/true);
    } else if (key == "scenario-fnv1a64") {
      if (w[1].text.size() != 16 || w[1].text.find_first_not_of("0123456789abcdef") != std::string_view::npos)
        throw Bad{n_, w[1].col, "expected 16 lowercase hex digits"};
      spec.scenario_hash = std::string(w[1].text);
    } else if (key == "seed") {
      spec.seed = number<std::uint64_t>(w[1], n_, "seed");
    } else if (key == "runs") {
      spec.runs = number<std::uint64_t>(w[1], n_, "runs");
      if (spec.runs == 0 || spec.runs > kMaxRuns)
        throw Bad{n_, w[1].col,
                  fmt::format("runs {}: a sweep has 1 to {} runs per point", spec.runs, kMaxRuns)};
    } else if (key == "profile") {
      spec.profile = field(w[1], n_);
      if (auto e = check_profile_name(*spec.profile)) throw Bad{n_, w[1].col, *e};
    } else if (key == "set") {
      spec.sets.push_back(field(w[1], n_));
      checked(parse_set(spec.sets.back()), w[1], n_);
    } else if (key == "until") {
      spec.until = field(w[1], n_);
      limit_ = checked(parse_until(*spec.until), w[1], n_);
    } else {
      throw Bad{n_, 1, fmt::format("unknown line '{}'", key)};
    }
  }

  void axis_line(const std::vector<Word>& w) {
    SweepSpec& spec = s_.spec;
    if (w.size() < 4) throw Bad{n_, 0, "expected 'axis KIND KEY VALUE...'"};
    if (spec.axes.size() >= 2) throw Bad{n_, 0, "a third axis (a sweep has at most two)"};
    Axis a;
    a.key = field(w[2], n_);
    if (w[1].text == "loss" && a.key == "loss")
      a.kind = Axis::Kind::Loss;
    else if (w[1].text == "profile" && a.key == "profile")
      a.kind = Axis::Kind::Profile;
    else if (w[1].text == "set")
      a.kind = Axis::Kind::Setting;
    else
      throw Bad{n_, w[1].col, "expected 'axis loss loss', 'axis profile profile' or 'axis set KEY'"};
    for (std::size_t i = 3; i < w.size(); ++i) a.values.push_back(field(w[i], n_));
    if (a.values.size() > kMaxAxisPoints) throw Bad{n_, 0, "too many points on an axis"};
    // As `tcpsim sweep` builds its axes: --loss first, then each --param,
    // no key twice, each value one its parser takes, once.
    for (const Axis& b : spec.axes)
      if (b.key == a.key) throw Bad{n_, w[2].col, fmt::format("'{}' is swept twice", a.key)};
    if (a.kind == Axis::Kind::Loss && !spec.axes.empty())
      throw Bad{n_, w[1].col, "a loss axis after another: --loss is the first axis of a sweep"};
    if (auto p = check_axis(a)) {
      if (p->value == std::string::npos) throw Bad{n_, w[2].col, p->why};
      throw Bad{n_, w[3 + p->value].col, fmt::format("axis value '{}': {}", a.values[p->value], p->why)};
    }
    spec.axes.push_back(std::move(a));
    if (spec.points() > kMaxPoints) throw Bad{n_, 0, "too many points in the grid"};
  }

  void slice_line(const std::vector<Word>& w) {
    for (const char* key : {"version", "scenario", "scenario-fnv1a64", "seed", "runs"}) {
      if (!header_seen_.count(key)) throw Bad{n_, 0, fmt::format("no '{}' line before 'shard'", key)};
    }
    if (w.size() != 2) throw Bad{n_, 0, "expected 'shard K/N'"};
    auto sl = parse_slice(w[1].text);
    if (std::holds_alternative<std::string>(sl))
      throw Bad{n_, w[1].col, fmt::format("shard {}: {}", w[1].text, kSliceRule)};
    s_.slice = std::get<Slice>(sl);
    s_.points.resize(s_.spec.points());
  }

  // A `point i` or `closed i` line seen before is named as such, rather
  // than as a line out of place.
  void not_again(const std::vector<Word>& w) {
    if (w.size() >= 2 && (w[0].text == "point" || w[0].text == "closed" || w[0].text == "transfer" ||
                          w[0].text == "goodput" || metric_named(w[0].text))) {
      const auto j = number<std::uint64_t>(w[1], n_, "point number");
      if (j >= s_.points.size())
        throw Bad{n_, w[1].col, fmt::format("point {}: the sweep has {} points", j, s_.points.size())};
      const std::string what = fmt::format("{} {}", w[0].text, j);
      auto [it, fresh] = seen_.emplace(what, n_);
      if (!fresh)
        throw Bad{n_, 0, fmt::format("a second '{}' line (the first is line {})", what, it->second)};
    }
  }

  // The next line, which must be `key i`; its words.
  std::vector<Word> expect(const char* key, std::size_t i) {
    const std::string& line = next();
    auto w = split_words(line, n_);
    not_again(w);
    if (w.size() < 2 || w[0].text != key || w[1].text != std::to_string(i))
      throw Bad{
          n_, 0,
          fmt::format("expected '{} {}' here (each point has a 'point' line, then 'closed', 'transfer', "
                      "'goodput' and a line per timing, syn-sent to request), "
                      "found '{}'",
                      key, i, line.substr(0, 40))};
    return w;
  }

  std::map<std::string, Word> point_fields(const std::vector<Word>& w) const {
    std::map<std::string, Word> f;
    for (std::size_t i = 2; i < w.size(); ++i) {
      const auto eq = w[i].text.find('=');
      const std::string key(w[i].text.substr(0, eq == std::string_view::npos ? 0 : eq));
      if (std::find(std::begin(kPointFields), std::end(kPointFields), key) == std::end(kPointFields))
        throw Bad{n_, w[i].col, fmt::format("unknown field '{}' (expected key=value)", w[i].text)};
      if (!f.emplace(key, Word{w[i].text.substr(eq + 1), w[i].col + eq + 1}).second)
        throw Bad{n_, w[i].col, fmt::format("'{}=' twice", key)};
    }
    for (const char* key : kPointFields)
      if (!f.count(key)) throw Bad{n_, 0, fmt::format("no '{}=' on the point line", key)};
    return f;
  }

  void point_line(std::size_t i, const std::vector<Word>& w);
  void check_kinds(PointStats& p, const Word& kinds);
  void check_sums(const PointStats& p, const std::map<std::string, Word>& f) const;
  void closed_line(std::size_t i, const std::vector<Word>& w);
  struct CountsList {
    bool transfer;     // the completion times, else the goodputs
    const char* noun;  // in messages
    const char* unit;
  };
  static constexpr CountsList kTransferList{true, "a completion time", "NANOSECONDS"};
  static constexpr CountsList kGoodputList{false, "a goodput", "BITS_PER_SECOND"};
  void counts_line(std::size_t i, const std::vector<Word>& w, const CountsList& list);
  void timing_line(std::size_t i, const std::vector<Word>& w, TimeHistogram& h);
  static bool metric_named(std::string_view name) {
    for (int m = 0; m < kMetricCount; ++m)
      if (metric_name(static_cast<Metric>(m)) == name) return true;
    return false;
  }

  std::vector<std::string> lines_;
  std::size_t n_ = 0;  // the line last read, 1-based
  Shard s_;
  std::map<std::string, std::size_t> header_seen_, seen_;  // -> the line it is on
  std::vector<std::uint64_t> closed_;                      // per point, as the point line says
  std::vector<std::uint64_t> transfers_;                   // per point, as the point line says
  // No run goes on past --until, or without it past kMaxDuration (the
  // longest `until` a scenario can have: the limit merge cannot see).
  Time limit_ = kMaxDuration;
};

// Each run has one outcome and belongs to one shard, so the counts of a
// point are bounded by its runs in this shard, which the slice fixes.
void Reader::point_line(std::size_t i, const std::vector<Word>& w) {
  const auto f = point_fields(w);
  PointStats& p = s_.points[i];
  const Word& runs = f.at("runs");
  p.runs = number<std::uint64_t>(runs, n_, "runs");
  const std::uint64_t expected = slice_runs_of_point(s_.spec, s_.slice, i);
  if (p.runs != expected)
    throw Bad{n_, runs.col - 5,
              fmt::format("runs={}: shard {}/{} of this sweep holds {} runs of point {}", p.runs, s_.slice.k,
                          s_.slice.n, expected, i)};
  check_kinds(p, f.at("kinds"));
  const auto value = [&](const char* key) {
    const Word& v = f.at(key);
    return number<std::uint64_t>(v, n_, key);
  };
  const auto bad = [&](const char* key, const std::string& why) {
    const Word& v = f.at(key);
    return Bad{n_, v.col - std::string_view(key).size() - 1, fmt::format("{}={}: {}", key, v.text, why)};
  };
  p.assertions_failed = value("assertions_failed");
  if (p.assertions_failed > p.runs)
    throw bad("assertions_failed", fmt::format("more than the point's {} runs", p.runs));
  // A run left half-open or stuck has no closing time (scenario::classify).
  const std::uint64_t closable =
      p.runs - p.count(scenario::OutcomeKind::HalfOpen) - p.count(scenario::OutcomeKind::Stuck);
  closed_.resize(s_.points.size());
  closed_[i] = value("closed");
  if (closed_[i] > closable)
    throw bad("closed",
              fmt::format("more than the {} runs that ended neither half-open nor stuck", closable));
  const std::uint64_t rmax = value("retransmissions_max");
  if (rmax > kRunCountMax) throw bad("retransmissions_max", "more than a run's 32-bit count");
  p.retransmissions_max = static_cast<std::uint32_t>(rmax);
  p.retransmissions = value("retransmissions");
  p.segments = value("segments");
  transfers_.resize(s_.points.size());
  transfers_[i] = value("transfers");
  if (transfers_[i] > p.runs) throw bad("transfers", fmt::format("more than the point's {} runs", p.runs));
  check_sums(p, f);
}

void Reader::check_kinds(PointStats& p, const Word& kinds) {
  const std::size_t col = kinds.col - 6;  // at "kinds="
  std::size_t k = 0, start = 0;
  std::uint64_t sum = 0;
  for (;;) {
    const std::size_t comma = kinds.text.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? kinds.text.size() : comma;
    if (k >= p.kinds.size()) throw Bad{n_, col, fmt::format("kinds: more than {} counts", p.kinds.size())};
    p.kinds[k] = number<std::uint64_t>(Word{kinds.text.substr(start, end - start), kinds.col + start}, n_,
                                       "an outcome count");
    const auto name = scenario::outcome_name(static_cast<scenario::OutcomeKind>(k));
    if (p.kinds[k] > p.runs)
      throw Bad{n_, col,
                fmt::format("kinds: {} {} runs, more than the point's {}", p.kinds[k], name, p.runs)};
    if (!checked_add(sum, p.kinds[k++])) throw Bad{n_, col, "kinds: the counts overflow 64 bits"};
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (k != p.kinds.size())
    throw Bad{n_, col, fmt::format("kinds: {} counts, expected {}", k, p.kinds.size())};
  if (sum != p.runs)
    throw Bad{n_, col,
              fmt::format("kinds: the outcome counts add up to {}, not to the point's {} runs", sum, p.runs)};
}

// Per run: retransmissions <= segments <= 2^32-1, and the maximum is one
// run's count; so the sums are bounded by the runs.
void Reader::check_sums(const PointStats& p, const std::map<std::string, Word>& f) const {
  const auto at = [&](const char* key) { return f.at(key).col - std::string_view(key).size() - 1; };
  std::uint64_t bound = 0;
  if (!__builtin_mul_overflow(p.runs, kRunCountMax, &bound) && p.segments > bound)
    throw Bad{
        n_, at("segments"),
        fmt::format("segments={}: more than {} runs can send (2^32-1 each at most)", p.segments, p.runs)};
  if (p.retransmissions > p.segments)
    throw Bad{
        n_, at("retransmissions"),
        fmt::format("retransmissions={}: more than the segments sent ({})", p.retransmissions, p.segments)};
  if (p.retransmissions_max > p.retransmissions)
    throw Bad{n_, at("retransmissions_max"),
              fmt::format("retransmissions_max={}: more than the sum of retransmissions ({})",
                          p.retransmissions_max, p.retransmissions)};
  if (!__builtin_mul_overflow(p.runs, std::uint64_t{p.retransmissions_max}, &bound) &&
      p.retransmissions > bound)
    throw Bad{n_, at("retransmissions"),
              fmt::format("retransmissions={}: more than {} runs of at most {} each", p.retransmissions,
                          p.runs, p.retransmissions_max)};
}

// `closed i t*n ...`: each closing time once, increasing, and as many as
// the point line's closed=.
void Reader::closed_line(std::size_t i, const std::vector<Word>& w) {
  PointStats& p = s_.points[i];
  std::uint64_t sum = 0;
  std::optional<Time> last;
  for (std::size_t j = 2; j < w.size(); ++j) {
    const std::size_t star = w[j].text.find('*');
    if (star == std::string_view::npos) throw Bad{n_, w[j].col, "expected TIME*COUNT (nanoseconds*runs)"};
    const Time t = number<Time>(Word{w[j].text.substr(0, star), w[j].col}, n_, "a closing time");
    const auto c =
        number<std::uint64_t>(Word{w[j].text.substr(star + 1), w[j].col + star + 1}, n_, "a count");
    if (t < 0) throw Bad{n_, w[j].col, "a closing time before the start of the run"};
    if (t > limit_)
      throw Bad{n_, w[j].col,
                fmt::format("closing time {} ns: no run of the sweep lasts past {}", t,
                            s_.spec.until ? "its --until " + *s_.spec.until
                                          : sim::format_duration(kMaxDuration) + " (the longest run)")};
    if (last && t <= *last)
      throw Bad{
          n_, w[j].col,
          fmt::format("closing times are listed once each, in increasing order: {} after {}", t, *last)};
    if (c == 0) throw Bad{n_, w[j].col + star + 1, "a count of 0 (times no run had are not listed)"};
    if (!checked_add(sum, c) || !p.closed_at.add(t, c))
      throw Bad{n_, w[j].col, "the closing-time counts overflow 64 bits"};
    last = t;
  }
  if (sum != closed_[i])
    throw Bad{
        n_, 0,
        fmt::format("the closing-time counts add up to {}, the point line says closed={}", sum, closed_[i])};
}

// `transfer i t*n ...` and `goodput i v*n ...`: each value once,
// increasing, positive (a transfer takes time and moves bytes), as many as
// the point line's transfers=.
void Reader::counts_line(std::size_t i, const std::vector<Word>& w, const CountsList& list) {
  TimeHistogram& h = list.transfer ? s_.points[i].transfer_time : s_.points[i].goodput;
  std::uint64_t sum = 0;
  std::optional<Time> last;
  for (std::size_t j = 2; j < w.size(); ++j) {
    const std::size_t star = w[j].text.find('*');
    if (star == std::string_view::npos) throw Bad{n_, w[j].col, fmt::format("expected {}*COUNT", list.unit)};
    const Time t = number<Time>(Word{w[j].text.substr(0, star), w[j].col}, n_, list.noun);
    const auto c =
        number<std::uint64_t>(Word{w[j].text.substr(star + 1), w[j].col + star + 1}, n_, "a count");
    if (t <= 0) throw Bad{n_, w[j].col, fmt::format("{} {}: not positive", list.noun, t)};
    if (list.transfer && t > limit_)
      throw Bad{n_, w[j].col, fmt::format("{} {} ns: longer than any run of the sweep", list.noun, t)};
    if (last && t <= *last)
      throw Bad{n_, w[j].col,
                fmt::format("values are listed once each, in increasing order: {} after {}", t, *last)};
    if (c == 0) throw Bad{n_, w[j].col + star + 1, "a count of 0 (values no run had are not listed)"};
    if (!checked_add(sum, c) || !h.add(t, c)) throw Bad{n_, w[j].col, "the counts overflow 64 bits"};
    last = t;
  }
  if (sum != transfers_[i])
    throw Bad{n_, 0,
              fmt::format("the {} counts add up to {}, the point line says transfers={}", w[0].text, sum,
                          transfers_[i])};
}

// `syn-sent i t*n ...` and the other timings: durations (ns) of stays and
// connection phases, each once, increasing, none negative or longer than
// a run can last. They count connections, not runs, so no point-line count
// bounds them.
void Reader::timing_line(std::size_t, const std::vector<Word>& w, TimeHistogram& h) {
  std::optional<Time> last;
  for (std::size_t j = 2; j < w.size(); ++j) {
    const std::size_t star = w[j].text.find('*');
    if (star == std::string_view::npos) throw Bad{n_, w[j].col, "expected NANOSECONDS*COUNT"};
    const Time t = number<Time>(Word{w[j].text.substr(0, star), w[j].col}, n_, "a duration");
    const auto c =
        number<std::uint64_t>(Word{w[j].text.substr(star + 1), w[j].col + star + 1}, n_, "a count");
    if (t < 0 || t > limit_)
      throw Bad{n_, w[j].col, fmt::format("a duration of {} ns: no run of the sweep lasts that long", t)};
    if (last && t <= *last)
      throw Bad{n_, w[j].col,
                fmt::format("values are listed once each, in increasing order: {} after {}", t, *last)};
    if (c == 0) throw Bad{n_, w[j].col + star + 1, "a count of 0 (values no run had are not listed)"};
    if (!h.add(t, c)) throw Bad{n_, w[j].col, "the counts overflow 64 bits"};
    last = t;
  }
}

}  // namespace

std::variant<Shard, std::string> read_shard(const std::string& text, const std::string& name) {
  try {
    return Reader(text).read();
  } catch (const Bad& b) {
    if (b.col) return fmt::format("{}:{}:{}: {}", name, b.line, b.col, b.what);
    return fmt::format("{}:{}: {}", name, b.line, b.what);
  }
}

}  // namespace tcpsim::sweep
