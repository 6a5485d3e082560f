#include "cli/sweep/shard_file.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <sstream>

#include "cli/commands/commands.h"

namespace tcpsim::sweep {

namespace {

constexpr const char* kMagic = "tcpsim-sweep-shard 1";

const char* axis_kind_name(Axis::Kind k) {
  switch (k) {
    case Axis::Kind::Loss: return "loss";
    case Axis::Kind::Profile: return "profile";
    case Axis::Kind::Setting: return "set";
  }
  return "?";
}

std::string header_text(const SweepSpec& spec) {
  std::string h = std::string(kMagic) + "\n";
  h += fmt::format("version {}\n", cli::kVersion);
  h += fmt::format("scenario {}\n", spec.scenario);
  h += fmt::format("scenario-fnv1a64 {}\n", spec.scenario_hash);
  h += fmt::format("seed {}\n", spec.seed);
  h += fmt::format("runs {}\n", spec.runs);
  if (spec.profile) h += fmt::format("profile {}\n", *spec.profile);
  for (const auto& s : spec.sets) h += fmt::format("set {}\n", s);
  if (spec.until) h += fmt::format("until {}\n", *spec.until);
  for (const Axis& a : spec.axes) {
    h += fmt::format("axis {} {}", axis_kind_name(a.kind), a.key);
    for (const auto& v : a.values) h += " " + v;
    h += "\n";
  }
  return h;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> w;
  std::istringstream in(line);
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

bool to_u64(std::string_view s, std::uint64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool to_i64(std::string_view s, std::int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// "key=value" words of a point line into a map.
std::map<std::string, std::string> fields(const std::vector<std::string>& w, std::size_t from) {
  std::map<std::string, std::string> f;
  for (std::size_t i = from; i < w.size(); ++i) {
    const auto eq = w[i].find('=');
    if (eq != std::string::npos) f[w[i].substr(0, eq)] = w[i].substr(eq + 1);
  }
  return f;
}

}  // namespace

std::string write_shard(const SweepSpec& spec, Slice slice, const std::vector<PointStats>& points) {
  std::string o = header_text(spec);
  o += fmt::format("shard {}/{}\n", slice.k, slice.n);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointStats& p = points[i];
    o += fmt::format("point {} runs={} kinds=", i, p.runs);
    for (int k = 0; k < scenario::kOutcomeKindCount; ++k) o += fmt::format("{}{}", k ? "," : "", p.kinds[k]);
    o += fmt::format(" assertions_failed={} retransmissions={} retransmissions_max={} segments={}\n",
                     p.assertions_failed, p.retransmissions, p.retransmissions_max, p.segments);
    o += fmt::format("closed {}", i);
    for (const auto& [t, n] : p.closed_at.counts()) o += fmt::format(" {}*{}", t, n);
    o += "\n";
  }
  return o + "end\n";
}

std::variant<Shard, std::string> read_shard(const std::string& text, const std::string& name) {
  auto bad = [&](std::size_t line, const std::string& why) {
    return fmt::format("{}:{}: not a tcpsim sweep shard: {}", name, line, why);
  };
  Shard s;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  bool header_done = false, ended = false;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (line != kMagic) return bad(n, fmt::format("expected '{}' on the first line", kMagic));
      s.header += line + "\n";
      continue;
    }
    if (ended) return bad(n, "text after 'end'");
    const auto w = words(line);
    if (w.empty()) return bad(n, "empty line");
    const std::string& key = w[0];
    const std::string rest = line.size() > key.size() + 1 ? line.substr(key.size() + 1) : "";
    if (!header_done) {
      if (key == "shard") {
        if (w.size() != 2) return bad(n, "expected 'shard K/N'");
        auto sl = parse_slice(w[1]);
        if (auto* e = std::get_if<std::string>(&sl)) return bad(n, *e);
        s.slice = std::get<Slice>(sl);
        header_done = true;
        s.points.resize(s.spec.points());
        continue;
      }
      s.header += line + "\n";
      if (key == "version") {
        // compared with the other shards' through the header
      } else if (key == "scenario") {
        s.spec.scenario = rest;
      } else if (key == "scenario-fnv1a64") {
        s.spec.scenario_hash = rest;
      } else if (key == "seed") {
        if (w.size() != 2 || !to_u64(w[1], s.spec.seed)) return bad(n, "bad seed");
      } else if (key == "runs") {
        if (w.size() != 2 || !to_u64(w[1], s.spec.runs) || s.spec.runs == 0 || s.spec.runs > kMaxRuns)
          return bad(n, "bad runs");
      } else if (key == "profile") {
        s.spec.profile = rest;
      } else if (key == "set") {
        s.spec.sets.push_back(rest);
      } else if (key == "until") {
        s.spec.until = rest;
      } else if (key == "axis") {
        if (w.size() < 4 || s.spec.axes.size() >= 2) return bad(n, "bad axis");
        Axis a;
        if (w[1] == "loss")
          a.kind = Axis::Kind::Loss;
        else if (w[1] == "profile")
          a.kind = Axis::Kind::Profile;
        else if (w[1] == "set")
          a.kind = Axis::Kind::Setting;
        else
          return bad(n, "bad axis kind");
        a.key = w[2];
        a.values.assign(w.begin() + 3, w.end());
        if (a.values.size() > kMaxAxisPoints) return bad(n, "too many points");
        s.spec.axes.push_back(std::move(a));
        if (s.spec.points() > kMaxPoints) return bad(n, "too many points");
      } else {
        return bad(n, fmt::format("unknown line '{}'", key));
      }
      continue;
    }
    if (key == "end") {
      ended = true;
      continue;
    }
    std::uint64_t idx = 0;
    if (w.size() < 2 || !to_u64(w[1], idx) || idx >= s.points.size()) return bad(n, "bad point number");
    PointStats& p = s.points[idx];
    if (key == "point") {
      auto f = fields(w, 2);
      std::uint64_t rmax = 0;
      if (!to_u64(f["runs"], p.runs) || !to_u64(f["assertions_failed"], p.assertions_failed) ||
          !to_u64(f["retransmissions"], p.retransmissions) || !to_u64(f["retransmissions_max"], rmax) ||
          rmax > UINT32_MAX || !to_u64(f["segments"], p.segments))
        return bad(n, "bad point line");
      p.retransmissions_max = static_cast<std::uint32_t>(rmax);
      std::istringstream ks(f["kinds"]);
      std::string item;
      int k = 0;
      std::uint64_t sum = 0;
      while (std::getline(ks, item, ',')) {
        if (k >= scenario::kOutcomeKindCount || !to_u64(item, p.kinds[k])) return bad(n, "bad kinds");
        sum += p.kinds[k++];
      }
      if (k != scenario::kOutcomeKindCount || sum != p.runs) return bad(n, "kinds do not add up to runs");
    } else if (key == "closed") {
      for (std::size_t i = 2; i < w.size(); ++i) {
        const auto star = w[i].find('*');
        std::int64_t t = 0;
        std::uint64_t c = 0;
        if (star == std::string::npos || !to_i64(std::string_view(w[i]).substr(0, star), t) ||
            !to_u64(std::string_view(w[i]).substr(star + 1), c))
          return bad(n, "bad closed-time entry");
        p.closed_at.add(t, c);
      }
    } else {
      return bad(n, fmt::format("unknown line '{}'", key));
    }
  }
  if (!header_done) return bad(n, "no 'shard K/N' line");
  if (!ended) return fmt::format("{}: incomplete shard (no 'end' line): was it cut short?", name);
  return s;
}

std::variant<std::pair<SweepSpec, std::vector<PointStats>>, std::string> merge_shards(
    const std::vector<MergeInput>& files) {
  if (files.empty()) return std::string("tcpsim merge: no shard files given");
  std::vector<Shard> shards;
  for (const auto& f : files) {
    auto r = read_shard(f.text, f.name);
    if (auto* e = std::get_if<std::string>(&r)) return *e;
    shards.push_back(std::move(std::get<Shard>(r)));
  }
  const Shard& first = shards[0];
  std::map<std::uint64_t, std::size_t> seen;  // K -> file
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const Shard& s = shards[i];
    if (s.header != first.header) {
      // Name the first line that differs: the reader sees which setting.
      std::istringstream a(first.header), b(s.header);
      std::string la, lb;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
      }
      return fmt::format("{}: a shard of a different sweep than {} ('{}' vs '{}')", files[i].name,
                         files[0].name, lb, la);
    }
    if (s.slice.n != first.slice.n)
      return fmt::format("{}: shard {}/{} does not belong with {}'s {}/{}", files[i].name, s.slice.k,
                         s.slice.n, files[0].name, first.slice.k, first.slice.n);
    auto [it, fresh] = seen.emplace(s.slice.k, i);
    if (!fresh)
      return fmt::format("{}: shard {}/{} given twice (also {})", files[i].name, s.slice.k, s.slice.n,
                         files[it->second].name);
  }
  for (std::uint64_t k = 1; k <= first.slice.n; ++k) {
    if (!seen.count(k))
      return fmt::format("tcpsim merge: shard {}/{} is missing ({} of {} given)", k, first.slice.n,
                         shards.size(), first.slice.n);
  }
  std::vector<PointStats> total = std::move(shards[0].points);
  for (std::size_t i = 1; i < shards.size(); ++i) {
    for (std::size_t p = 0; p < total.size(); ++p) total[p].merge(shards[i].points[p]);
  }
  // A shard may claim any runs; the sum must be the sweep's.
  for (std::size_t p = 0; p < total.size(); ++p) {
    total[p].closed_at.fold();
    if (total[p].runs != first.spec.runs)
      return fmt::format("tcpsim merge: point {} has {} runs, the sweep has {} per point", p, total[p].runs,
                         first.spec.runs);
  }
  return std::make_pair(first.spec, std::move(total));
}

}  // namespace tcpsim::sweep
