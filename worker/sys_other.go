//go:build !linux

package worker

import "runtime"

// memoryUsage is the memory the Go runtime holds from the system, in bytes.
func memoryUsage() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

// zombie needs /proc; elsewhere kill(pid, 0) is the whole answer.
func zombie(int) bool { return false }

// runsExecutable needs /proc: known is false.
func runsExecutable(int, string, string) (same, known bool) { return false, false }

// monotonicUsec is for systemd, which runs on Linux only.
func monotonicUsec() (int64, bool) { return 0, false }
