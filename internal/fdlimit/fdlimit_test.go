//go:build unix

package fdlimit_test

import (
	"syscall"
	"testing"

	"github.com/workerman-go/workerman/internal/fdlimit"
)

func TestRaiseReachesTheHardLimit(t *testing.T) {
	var before syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &before); err != nil {
		t.Fatal(err)
	}
	lower := before
	lower.Cur = min(before.Cur, 256)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lower); err != nil {
		t.Fatal(err)
	}
	got := fdlimit.Raise()
	var after syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &after); err != nil {
		t.Fatal(err)
	}
	if after.Cur != after.Max || got != uint64(after.Cur) {
		t.Fatalf("after Raise: soft %d, hard %d, Raise said %d", after.Cur, after.Max, got)
	}
}
