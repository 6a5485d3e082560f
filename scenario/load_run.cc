#include "scenario/load_run.h"

#include <fmt/format.h>

#include "sim/units.h"

namespace tcpsim::scenario {

std::variant<LoadResult, ParseError> run_load(std::shared_ptr<const Scenario> sc, const RunOptions& opt) {
  if (sc->loads.empty()) return ParseError{fmt::format("{}: no load in this scenario", sc->file)};
  if (!sc->programs.empty())
    return error_at(
        *sc, sc->programs.front().loc,
        "a scenario with a load has no programs: put single connections in a scenario of their own");
  if (!sc->assertions.empty())
    return error_at(
        *sc, sc->assertions.front().loc,
        "assertions about programs do not apply to a load scenario: read its time series instead");
  if (!sc->drops.empty())
    return error_at(*sc, sc->drops.front().loc,
                    "targeted drops count segments of single connections: a load takes random loss "
                    "(link ... loss 1%) instead");
  const Time limit = opt.until.value_or(sc->until.value_or(kDefaultUntil));
  // A sample every interval up to the time limit: bounded before the run,
  // as `sample every 1ns` filled gigabytes.
  const std::uint64_t samples =
      sc->sample_every > 0 ? static_cast<std::uint64_t>(limit / sc->sample_every) + 1 : UINT64_MAX;
  if (samples > kMaxLoadSamples)
    return ParseError{
        fmt::format("{}: sample every {} up to {} would take {} samples, more than the {} "
                    "allowed: sample less often, or end the run sooner (until)",
                    sc->file, sim::format_duration(sc->sample_every), sim::format_duration(limit), samples,
                    kMaxLoadSamples)};
  RunOptions o = opt;
  o.trace = false;  // millions of connections: the time series is the record
  auto built = build_network(*sc, o);
  if (auto* e = std::get_if<ParseError>(&built)) return *e;
  LoadResult res;
  res.scenario = sc;
  res.net = std::move(std::get<std::unique_ptr<sim::Network>>(built));
  std::vector<sim::LoadSpec> specs;
  for (const LoadDecl& d : sc->loads) {
    sim::LoadSpec s;
    s.client = static_cast<std::uint8_t>(host_index(*sc, d.client));
    s.server = static_cast<std::uint8_t>(host_index(*sc, d.server));
    if (s.client == s.server)
      return error_at(*sc, d.loc, "clients and server on one host: give each its own host");
    s.port = d.port;
    s.rate = d.rate;
    s.length = d.length;
    s.start = d.start;
    s.request = d.request;
    s.response = d.response;
    s.server_closes = d.server_closes;
    s.backlog = d.backlog;
    s.accept_rate = d.accept_rate;
    s.client_addresses = d.addresses;
    sim::Host& client = res.net->host(s.client);
    if (d.addresses > client.addresses()) {
      const std::uint32_t first = client.ip(), last = client.ip() + d.addresses - 1;
      for (std::size_t h = 0; h < res.net->host_count(); ++h) {
        const std::uint32_t ip = res.net->host(h).ip();
        if (h != s.client && ip >= first && ip <= last)
          return error_at(*sc, d.loc,
                          fmt::format("addresses {}: {}'s addresses would include {}'s", d.addresses,
                                      d.client, res.net->host(h).name()));
      }
      client.set_addresses(d.addresses);
    }
    specs.push_back(s);
  }
  res.load = std::make_unique<sim::LoadRun>(*res.net, std::move(specs), sc->sample_every);
  res.load->start();
  sim::Network& net = *res.net;
  // A load's length bounds it; the event limit is a backstop sized for
  // millions of connections (about a dozen events each).
  constexpr std::uint64_t kMaxEvents = 2'000'000'000;
  const sim::EventLoopResult rr =
      net.scheduler().run_while([&] { return net.scheduler().next_time() <= limit; }, kMaxEvents);
  res.end_time = net.now();
  if (rr.hit_event_limit()) {
    res.ending = fmt::format("stopped after {} events at {} s: the event limit", rr.events,
                             sim::format_seconds(net.now()));
  } else if (rr.status == sim::RunStatus::kPredicate) {
    res.ending = fmt::format("time limit {} reached", sim::format_duration(limit));
  } else {
    res.ending = fmt::format("nothing left to happen after {} s", sim::format_seconds(net.now()));
  }
  return res;
}

}  // namespace tcpsim::scenario
