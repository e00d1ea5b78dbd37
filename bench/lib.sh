# Shared by the benchmarks: a berth and a podman, each with its own temporary root, the same
# sample image in both, and timing helpers. Source it; call bench_setup first.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE=localhost/berth-busybox:latest

bench_setup() {
  "$here/.ci/host-parts"
  command -v podman >/dev/null || { echo "installing podman to compare against" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null; }
  work=$(mktemp -d /tmp/bt-bench-XXXX)
  # podman's pods make its default bridge, which podman keeps: gone again with the bench if it was not there before
  podman_bridge_before=$(ip link show cni-podman0 >/dev/null 2>&1 && echo yes || echo no)
  trap bench_cleanup EXIT
  # podman on this host: runc (crun 1.8 refuses hybrid cgroups), and rlimits it can set (its
  # defaults, and even the host's own hard limits, fail here with "error setting rlimits")
  cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$work/containers.conf"
  PODMAN=(podman --root "$work/podman-root" --runroot "$work/podman-run" --storage-driver overlay)
  BERTH=("$here/berth" --root "$work/berth-root" --runroot "$work/berth-run")
  "$here/samples/build-image" "$work/rootfs.tar"
  "${BERTH[@]}" image import "$work/rootfs.tar" "$IMAGE" >/dev/null
  "${PODMAN[@]}" import -q --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$work/rootfs.tar" "$IMAGE" >/dev/null
}

bench_cleanup() {
  "${BERTH[@]}" ps -a --format json 2>/dev/null | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4 | xargs -r "${BERTH[@]}" rm -f >/dev/null 2>&1 || true
  "${PODMAN[@]}" rm -af >/dev/null 2>&1 || true
  "${PODMAN[@]}" pod rm -af >/dev/null 2>&1 || true
  "${PODMAN[@]}" system reset -f >/dev/null 2>&1 || true
  grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  if [[ ${podman_bridge_before:-yes} == no ]] && ip link show cni-podman0 >/dev/null 2>&1; then
    ip link del cni-podman0 2>/dev/null || true
  fi
  rm -rf "$work"
}

# now_ms: wall clock in milliseconds
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# time_ms CMD…: runs CMD quietly, prints its wall time in ms (fails if CMD fails)
time_ms() {
  local start end
  start=$(now_ms)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
  end=$(now_ms)
  echo $((end - start))
}

# median N…: the median of the numbers
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

# ratio A B: A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

pods_file() { # N: N pods of 2 containers that exit on SIGTERM
  local i
  for ((i = 0; i < $1; i++)); do
    cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: bench-$i
spec:
  containers:
    - name: a
      image: $IMAGE
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
    - name: b
      image: $IMAGE
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"]
---
YAML
  done
}
