//go:build unix

package nettest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// Browser is a headless Chromium showing one page, driven over the DevTools
// protocol on a pipe, so that a test can do in the page what a user would
// (fill a form, read what it shows) and see what the page's script does.
type Browser struct {
	send    *os.File      // the browser reads commands from it (its fd 3)
	recv    *bufio.Reader // and writes answers and events to it (its fd 4)
	raw     *os.File
	next    int
	session string // the page's session, for commands sent to the page
	stop    func()
}

// OpenBrowser starts a headless Chromium on url with flags added (see
// ChromiumCommand; it skips the test when Chromium is missing) and attaches
// to the page. The browser is killed when the test ends, if not closed before.
func OpenBrowser(t testing.TB, url string, flags ...string) *Browser {
	t.Helper()
	cmd := ChromiumCommand(t, url, append([]string{"--remote-debugging-pipe"}, flags...)...)
	cmdIn, send, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	raw, cmdOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{cmdIn, cmdOut}
	stop := Start(t, cmd)
	cmdIn.Close()
	cmdOut.Close()
	t.Cleanup(func() { send.Close(); raw.Close() })
	b := &Browser{send: send, recv: bufio.NewReader(raw), raw: raw, stop: stop}
	var targets struct {
		TargetInfos []struct{ TargetID, Type, URL string }
	}
	Eventually(t, "the browser showing "+url, func() bool {
		b.call(t, "Target.getTargets", nil, &targets)
		for _, ti := range targets.TargetInfos {
			if ti.Type == "page" && ti.URL == url {
				var attached struct{ SessionID string }
				b.call(t, "Target.attachToTarget", map[string]any{"targetId": ti.TargetID, "flatten": true}, &attached)
				b.session = attached.SessionID
				return true
			}
		}
		return false
	})
	return b
}

// Eval runs the JavaScript expression in the page, waits for the promise it
// gives (if it gives one) and returns the result as JSON.
func (b *Browser) Eval(t testing.TB, expr string) string {
	t.Helper()
	var res struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	b.call(t, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &res)
	if e := res.ExceptionDetails; e != nil {
		t.Fatalf("the page threw: %s %s", e.Text, e.Exception.Description)
	}
	return string(res.Result.Value)
}

// Close kills the browser, as a user closing it would leave the page.
func (b *Browser) Close() { b.stop() }

// call sends one command and reads until its answer, passing events over.
func (b *Browser) call(t testing.TB, method string, params any, result any) {
	t.Helper()
	b.next++
	msg := map[string]any{"id": b.next, "method": method, "params": params}
	if b.session != "" {
		msg["sessionId"] = b.session
	}
	out, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.send.Write(append(out, 0)); err != nil {
		t.Fatalf("DevTools %s: %v", method, err)
	}
	b.raw.SetReadDeadline(time.Now().Add(Timeout))
	for {
		line, err := b.recv.ReadBytes(0)
		if err != nil {
			t.Fatalf("DevTools %s: %v", method, err)
		}
		var ans struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(line[:len(line)-1], &ans); err != nil {
			t.Fatalf("DevTools sent %q: %v", line, err)
		}
		if ans.ID != b.next {
			continue // an event
		}
		if ans.Error != nil {
			t.Fatalf("DevTools %s: %s", method, ans.Error.Message)
		}
		if err := json.Unmarshal(ans.Result, result); err != nil {
			t.Fatal(fmt.Errorf("DevTools %s answered %s: %w", method, ans.Result, err))
		}
		return
	}
}
