#!/bin/sh
# Re-run the tcpsim kernel probes and print the measured figures.
# Must run as root.  Each probe creates its own network namespace
# tcpsim-probe-<pid>, uses only 127.0.0.1 inside it, and deletes it at exit.
#   ./run-all.sh          all probes (about 4 minutes; the long ones in parallel)
#   ./run-all.sh --quick  skip the two long ones (syn_retries=6: ~135 s,
#                         TIME-WAIT length: ~61 s)
set -e
cd "$(dirname "$0")"
echo "### uname -r: $(uname -r)"
echo "### defaults in a fresh network namespace"
ip netns add tcpsim-probe-sysctl
ip netns exec tcpsim-probe-sysctl sysctl net.ipv4.tcp_syn_retries \
  net.ipv4.tcp_synack_retries net.ipv4.tcp_retries1 net.ipv4.tcp_retries2 \
  net.ipv4.tcp_fin_timeout net.ipv4.ip_local_port_range \
  net.ipv4.tcp_syn_linear_timeouts net.ipv4.tcp_orphan_retries \
  net.ipv4.tcp_max_syn_backlog net.core.somaxconn \
  net.ipv4.tcp_abort_on_overflow net.ipv4.tcp_rto_min_us \
  net.ipv4.tcp_rto_max_ms net.ipv4.tcp_early_retrans net.ipv4.tcp_tw_reuse \
  net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_syncookies net.ipv4.tcp_sack \
  net.ipv4.tcp_timestamps net.ipv4.tcp_congestion_control || true
ip netns del tcpsim-probe-sysctl
zcat /proc/config.gz 2>/dev/null | grep "^CONFIG_HZ=" || true

tmp=$(mktemp -d)
if [ "$1" != "--quick" ]; then
  python3 p01_syn_retries.py 6 > "$tmp/p01_6" 2>&1 &
  python3 p07b_timewait_length.py > "$tmp/p07b" 2>&1 &
fi
for p in "p01_syn_retries.py 3" "p02_synack_retries.py 3" p03_lost_fin.py \
         "p04_rto_backoff.py 3" "p04_rto_backoff.py 5" p05_delayed_ack.py \
         p06_tlp.py p07_ss_states.py p08_fin_wait2.py p09_orphan_data.py \
         p10_abort.py p11_accept_overflow.py p11b_accept_overflow_ack.py; do
  echo; echo "### $p"; python3 $p
done
echo; echo "### p12_timewait_reopen.py"; unshare -n python3 p12_timewait_reopen.py
wait
if [ "$1" != "--quick" ]; then
  echo; echo "### p01_syn_retries.py 6"; cat "$tmp/p01_6"
  echo; echo "### p07b_timewait_length.py"; cat "$tmp/p07b"
fi
rm -rf "$tmp"
echo; echo "### leftover namespaces (should be none):"; ip netns list | grep tcpsim-probe || true
