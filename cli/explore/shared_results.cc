#include "cli/explore/shared_results.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tcpsim::explore {

namespace {

// A label longer than this is cut (a scenario with dozens of connections):
// the store's size stays a simple bound.
constexpr std::size_t kMaxText = 1000;
constexpr std::size_t kMaxChoices = 64;
constexpr std::size_t kRecordFixed = 4 + 1 + 1 + 2 + 8 + 4 + 4;
constexpr std::size_t kChoiceBytes = 5;

template <class T>
void put(unsigned char*& at, const T& v) {
  std::memcpy(at, &v, sizeof v);
  at += sizeof v;
}
template <class T>
T get(const unsigned char*& at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  at += sizeof v;
  return v;
}

}  // namespace

struct SharedResults::Header {
  std::atomic<std::uint64_t> used{0};       // bytes of records
  std::atomic<std::uint64_t> claimed{0};    // patterns claimed (the base run included)
  std::atomic<std::uint32_t> truncated{0};  // a Stop
  std::atomic<std::uint64_t> work{0};       // trace records of the runs that ended
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared between processes: the atomics must not use a lock");

SharedResults::SharedResults(std::uint64_t patterns) {
  // A typical record is ~60 bytes; allow 256 per pattern, and pages are only
  // backed once written (MAP_NORESERVE).
  // At most 1 GiB of address space: a larger --max-patterns stops when full
  // (truncated()), as it would at the limit.
  const std::uint64_t want = std::min<std::uint64_t>(patterns, (std::uint64_t{1} << 30) / 256);
  size_ = sizeof(Header) + static_cast<std::size_t>(want) * 256 + 2 * (kRecordFixed + 2 * kMaxText);
  map_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw std::runtime_error(std::string("cannot map memory for the results: ") + std::strerror(errno));
  }
  new (map_) Header();
}

SharedResults::~SharedResults() {
  if (map_) munmap(map_, size_);
}

SharedResults::Header* SharedResults::header() const { return static_cast<Header*>(map_); }
unsigned char* SharedResults::data() const { return static_cast<unsigned char*>(map_) + sizeof(Header); }

namespace {
void stop(std::atomic<std::uint32_t>& flag, Stop why) {
  std::uint32_t none = 0;
  flag.compare_exchange_strong(none, static_cast<std::uint32_t>(why));
}
}  // namespace

Stop refuse_claim(std::uint64_t claimed, std::uint64_t limit, std::uint64_t work, std::uint64_t max_work) {
  if (claimed >= limit) return Stop::Patterns;
  if (work >= max_work) return Stop::Work;
  return Stop::None;
}

bool SharedResults::claim_pattern(std::uint64_t limit, std::uint64_t work, std::uint64_t max_work) {
  if (truncated()) return false;
  std::uint64_t n = header()->claimed.load();
  do {
    if (const Stop why = refuse_claim(n, limit, work, max_work); why != Stop::None) {
      stop(header()->truncated, why);
      return false;
    }
  } while (!header()->claimed.compare_exchange_weak(n, n + 1));
  return true;
}

Stop SharedResults::stopped() const { return static_cast<Stop>(header()->truncated.load()); }
std::uint64_t SharedResults::claimed() const { return header()->claimed.load(); }
void SharedResults::add_work(std::uint64_t records) { header()->work.fetch_add(records); }
std::uint64_t SharedResults::work() const { return header()->work.load(); }

bool SharedResults::append(const PatternResult& r) {
  const std::string label = r.label.substr(0, kMaxText);
  const std::string error = r.error.substr(0, kMaxText);
  const std::size_t choices = std::min(r.pattern.size(), kMaxChoices);
  const std::size_t bytes = kRecordFixed + choices * kChoiceBytes + label.size() + error.size();
  const std::uint64_t at = header()->used.fetch_add(bytes);
  if (sizeof(Header) + at + bytes > size_) {
    stop(header()->truncated, Stop::Patterns);
    return false;
  }
  unsigned char* p = data() + at;
  put(p, static_cast<std::uint32_t>(bytes));
  put(p, static_cast<std::uint8_t>(r.kind));
  put(p, static_cast<std::uint8_t>(0));
  put(p, static_cast<std::uint16_t>(choices));
  put(p, r.unread_bytes);
  for (std::size_t i = 0; i < choices; ++i) {
    put(p, r.pattern[i].index);
    put(p, static_cast<std::uint8_t>(r.pattern[i].fate));
  }
  put(p, static_cast<std::uint32_t>(label.size()));
  std::memcpy(p, label.data(), label.size());
  p += label.size();
  put(p, static_cast<std::uint32_t>(error.size()));
  std::memcpy(p, error.data(), error.size());
  return true;
}

std::vector<PatternResult> SharedResults::read_all() const {
  std::vector<PatternResult> out;
  const std::uint64_t used = std::min<std::uint64_t>(header()->used.load(), size_ - sizeof(Header));
  const unsigned char* p = data();
  const unsigned char* end = data() + used;
  while (p + kRecordFixed <= end) {
    const unsigned char* start = p;
    const auto bytes = get<std::uint32_t>(p);
    if (bytes < kRecordFixed || start + bytes > end) break;  // a record that did not fit
    PatternResult r;
    r.kind = static_cast<scenario::OutcomeKind>(get<std::uint8_t>(p));
    get<std::uint8_t>(p);
    const auto choices = get<std::uint16_t>(p);
    r.unread_bytes = get<std::uint64_t>(p);
    for (std::size_t i = 0; i < choices; ++i) {
      Choice c;
      c.index = get<std::uint32_t>(p);
      c.fate = static_cast<sim::Fate>(get<std::uint8_t>(p));
      r.pattern.push_back(c);
    }
    const auto label = get<std::uint32_t>(p);
    r.label.assign(reinterpret_cast<const char*>(p), label);
    p += label;
    const auto error = get<std::uint32_t>(p);
    r.error.assign(reinterpret_cast<const char*>(p), error);
    p = start + bytes;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tcpsim::explore
