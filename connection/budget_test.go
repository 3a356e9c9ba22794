package connection_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

func TestInputBudgetBoundsIncompletePackagesAcrossConnections(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		logged := logs(t)
		connection.SetInputBudget(100 << 10)
		t.Cleanup(func() { connection.SetInputBudget(0) })
		w := worker.New("frame://127.0.0.1:0")
		codes := make(chan int, 4)
		w.OnError = func(_ *connection.TcpConnection, code int, _ string) { codes <- code }
		serve(t, w)

		// Each client sends 60 KiB of a 1 MiB frame and stops: under
		// MaxPackageSize, so only the process's budget can refuse it.
		partial := make([]byte, 4+60<<10)
		binary.BigEndian.PutUint32(partial, 1<<20)
		first, second := dial(t, w), dial(t, w)
		first.Write(partial)
		for connectionsOf(w) == nil || heldBy(w) < 60<<10 {
			time.Sleep(time.Millisecond)
		}
		second.Write(partial)

		second.SetReadDeadline(time.Now().Add(30 * time.Second))
		// Closed with its bytes unread, the server may answer with a reset.
		if _, err := io.ReadAll(second); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("the connection past the budget is still open")
		}
		if code := <-codes; code != connection.RecvBudgetFail {
			t.Errorf("OnError code %d, want RecvBudgetFail", code)
		}
		if !strings.Contains(logged(), "closing connection: input budget exhausted") {
			t.Errorf("no log line says why:\n%s", logged())
		}
		if n := len(connectionsOf(w)); n != 1 {
			t.Fatalf("%d connections open, want the first one only", n)
		}
		if got := heldBy(w); got != len(partial) {
			t.Errorf("the first connection holds %d bytes, want %d", got, len(partial))
		}
	})
}

// heldBy sums what w's connections hold of incomplete packages.
func heldBy(w *worker.Worker) int {
	n := make(chan int)
	worker.Post(func() {
		sum := 0
		for _, c := range w.Connections() {
			sum += c.RecvBufferSize()
		}
		n <- sum
	})
	return <-n
}
