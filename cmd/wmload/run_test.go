package main

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"testing"
)

// runJSON runs wmload with args plus -json and decodes its report into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{args[0], "-json"}, args[1:]...)
	if err := run(args, &out, &errOut); err != nil {
		t.Fatalf("wmload %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("wmload %s printed %q: %v", strings.Join(args, " "), out.String(), err)
	}
}

// listen opens a loopback listener that the test closes when it ends.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mode is an error", nil, "no mode"},
		{"an unknown mode is an error", []string{"wrk"}, "unknown mode"},
		{"a non-loopback target is refused", []string{"http", "http://192.168.1.10:8080/"}, "not loopback"},
		{"a run longer than ten minutes is refused", []string{"http", "-d", "11m", "http://127.0.0.1:1/"}, "outside"},
		{"zero connections are refused", []string{"http", "-c", "0", "http://127.0.0.1:1/"}, "-c 0"},
		{"an unbounded request count is refused", []string{"echo", "-n", "0", "127.0.0.1:1"}, "-n 0"},
		{"a pipeline deeper than 1024 is refused", []string{"http", "-p", "5000", "http://127.0.0.1:1/"}, "-p 5000"},
		{"a header with a line break is refused", []string{"http", "-H", "A: b\r\nC: d", "http://127.0.0.1:1/"}, "single"},
		{"two targets are refused", []string{"sse", "http://127.0.0.1:1/", "http://127.0.0.1:2/"}, "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(tc.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error()+errOut.String(), tc.want) {
				t.Fatalf("error %v (stderr %q), want one saying %q", err, errOut.String(), tc.want)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"help"}, &out, &out); err != nil || !strings.Contains(out.String(), "wmload sse") {
		t.Fatalf("help: %v, %q", err, out.String())
	}
}
