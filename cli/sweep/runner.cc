#include "cli/sweep/runner.h"

#include <fmt/format.h>

#include <charconv>
#include <exception>
#include <mutex>
#include <thread>

#include "cli/sweep/timings.h"
#include "cli/sweep/transfer.h"
#include "scenario/outcome.h"

namespace tcpsim::sweep {

namespace {

// Runs handed to a thread at a time: large enough that the shared counter
// is not contended, small enough that threads finish together.
constexpr std::uint64_t kChunk = 64;

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::variant<Slice, std::string> parse_slice(std::string_view text) {
  const auto slash = text.find('/');
  const std::string bad = fmt::format("--shard {}: {}", text, kSliceRule);
  if (slash == std::string_view::npos) return bad;
  auto k = parse_u64(text.substr(0, slash));
  auto n = parse_u64(text.substr(slash + 1));
  if (!k || !n || *k < 1 || *k > *n || *n > 1'000'000) return bad;
  return Slice{*k, *n};
}

namespace {

// Global indices g < end with g % n == k - 1. Indices stay below
// kMaxPoints * kMaxRuns = 10^14: no overflow.
std::uint64_t slice_below(std::uint64_t end, Slice s) { return end / s.n + (end % s.n > s.k - 1 ? 1 : 0); }

}  // namespace

std::uint64_t slice_size(const SweepSpec& spec, Slice s) {
  return slice_below(static_cast<std::uint64_t>(spec.points()) * spec.runs, s);
}

std::uint64_t slice_runs_of_point(const SweepSpec& spec, Slice s, std::size_t point) {
  return slice_below((point + 1) * spec.runs, s) - slice_below(point * spec.runs, s);
}

std::variant<std::vector<PointStats>, std::string> run_sweep(std::shared_ptr<const scenario::Scenario> sc,
                                                             const SweepSpec& spec,
                                                             const RunSweepOptions& opt) {
  const std::size_t points = spec.points();
  std::vector<scenario::RunOptions> base;
  for (std::size_t p = 0; p < points; ++p) {
    auto o = point_options(spec, p);
    if (auto* e = std::get_if<std::string>(&o)) return *e;
    base.push_back(std::move(std::get<scenario::RunOptions>(o)));
    base.back().texts = false;  // outcomes only: no call texts, no assertion messages
  }
  const std::uint64_t count = slice_size(spec, opt.slice);
  // Each thread keeps sums for every point: bound that memory (a big grid
  // on many threads) by using fewer threads, which changes no result.
  const std::uint64_t per_thread = points * sizeof(PointStats);
  const std::uint64_t memory_cap = std::max<std::uint64_t>(1, (std::uint64_t{1} << 30) / per_thread);
  const unsigned jobs =
      std::max(1u, static_cast<unsigned>(std::min<std::uint64_t>({opt.jobs, count, memory_cap})));

  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  // The error of the lowest-numbered failing run, so the message does not
  // depend on thread timing either.
  std::uint64_t error_index = UINT64_MAX;
  std::string error;
  std::vector<std::vector<PointStats>> partial(jobs, std::vector<PointStats>(points));
  std::vector<ExampleSet> examples(jobs, ExampleSet(opt.examples ? opt.examples->keep() : 0));

  auto overflow = [&](std::size_t point) {
    return fmt::format("{}: point {}: a sum of the runs' counts overflows 64 bits", spec.scenario, point);
  };
  auto fail = [&](std::uint64_t g, std::string msg) {
    std::lock_guard<std::mutex> lock(error_mutex);
    if (g < error_index) {
      error_index = g;
      error = std::move(msg);
    }
    stop = true;
  };
  auto work = [&](unsigned thread) {
    std::vector<scenario::RunOptions> options = base;  // each thread sets seeds in its own copy
    std::vector<PointStats>& mine = partial[thread];
    while (!stop) {
      const std::uint64_t begin = next.fetch_add(kChunk);
      if (begin >= count) break;
      const std::uint64_t end = std::min(count, begin + kChunk);
      for (std::uint64_t j = begin; j < end && !stop; ++j) {
        const std::uint64_t g = opt.slice.k - 1 + j * opt.slice.n;
        const std::size_t point = static_cast<std::size_t>(g / spec.runs);
        scenario::RunOptions& o = options[point];
        o.seed = run_seed(spec.seed, g % spec.runs);
        try {
          auto ran = scenario::run(sc, o);
          if (auto* e = std::get_if<scenario::ParseError>(&ran)) {
            fail(g, e->message);
            break;
          }
          const auto& result = std::get<scenario::RunResult>(ran);
          const scenario::Outcome outcome = scenario::classify(result);
          if (opt.examples) examples[thread].offer(outcome.kind, g, outcome.label());
          if (!mine[point].add(outcome, transfer_of(result), timings_of(result))) {
            fail(g, overflow(point));
            break;
          }
        } catch (const std::exception& e) {
          fail(g, fmt::format("{}: run {} at point {} (seed {}) failed: {}", spec.scenario, g % spec.runs,
                              point, *o.seed, e.what()));
          break;
        }
      }
      if (opt.done) opt.done->fetch_add(end - begin, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work, t);
  work(0);
  for (auto& t : threads) t.join();
  if (!error.empty()) return error;
  if (opt.examples)
    for (const ExampleSet& e : examples) opt.examples->merge(e);

  std::vector<PointStats> total = std::move(partial[0]);
  for (std::size_t p = 0; p < points; ++p) {
    for (unsigned t = 1; t < jobs; ++t)
      if (!total[p].merge(partial[t][p])) return overflow(p);
    if (!total[p].fold()) return overflow(p);
  }
  return total;
}

}  // namespace tcpsim::sweep
