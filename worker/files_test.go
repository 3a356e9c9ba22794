package worker

import (
	"path/filepath"
	"testing"
)

func TestGoRunBuildsAreRecognised(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOCACHE", cache)
	for _, tc := range []struct {
		exe  string
		want bool
	}{
		{"/tmp/go-build1234/b001/exe/sse", true},
		{filepath.Join(cache, "ab", "0123abcd-d", "sse"), true},
		{"/usr/local/bin/sse", false},
		{cache + "-other/sse", false},
	} {
		if got := goRunBuild(tc.exe); got != tc.want {
			t.Errorf("goRunBuild(%q) = %v, want %v", tc.exe, got, tc.want)
		}
	}
}
