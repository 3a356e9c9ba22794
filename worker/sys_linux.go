package worker

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// memoryUsage is the process's resident set size (VmRSS) in bytes.
func memoryUsage() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("VmRSS:"))
	if !ok {
		return 0
	}
	f := bytes.Fields(rest)
	if len(f) == 0 {
		return 0
	}
	kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return kb << 10
}

// runsExecutable reports whether process pid runs the executable exe (a
// file since replaced by a deploy's rename counts), as /proc/pid/exe tells;
// for another user's process, whose exe link is closed to us, whether its
// command line names the program (argv[0]'s base name is name).
func runsExecutable(pid int, exe, name string) (same, known bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	if target, err := os.Readlink(dir + "/exe"); err == nil {
		return strings.TrimSuffix(target, " (deleted)") == exe, true
	}
	b, err := os.ReadFile(dir + "/cmdline")
	if err != nil {
		return false, false
	}
	argv0, _, _ := bytes.Cut(b, []byte{0})
	return filepath.Base(string(argv0)) == name, true
}

// zombie reports whether pid has exited and waits to be reaped; such a
// process still answers kill(pid, 0).
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold anything
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, the clock of systemd's
// MONOTONIC_USEC=.
func monotonicUsec() (int64, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return 0, false
	}
	return ts.Nano() / 1000, true
}
