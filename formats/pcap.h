// `tcpsim run --pcap FILE`: every segment as it crossed the link, with real
// IPv4 and TCP headers (checksums included) and timestamps from virtual
// time, written with libpcap so that Wireshark and tshark open it.
#pragma once

#include <string>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

// Where the capture is taken: at the sender (every segment when it leaves,
// lost ones included) or at the receiver (what arrived, when it arrived).
enum class CapturePoint { Sender, Receiver };

// Writes the file by formats/output_file.h's rules (whole or not at all; a
// device or FIFO in place).
// Returns an error message, or "" on success.
std::string write_pcap(const scenario::RunResult& run, const std::string& path, CapturePoint at);

}  // namespace tcpsim::formats
