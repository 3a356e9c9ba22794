package nettest

import "testing"

func TestSkipSummary(t *testing.T) {
	t.Cleanup(func() { skipped.why = nil })
	for _, why := range []string{"x is not installed", "x is not installed", "y is not installed"} {
		t.Run("", func(t *testing.T) { Skip(t, why) })
	}
	want := "internal/nettest: skipped 2 tests: x is not installed\n" +
		"internal/nettest: skipped 1 test: y is not installed\n"
	if got := skipSummary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}
