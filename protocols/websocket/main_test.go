package websocket_test

import (
	"os"
	"testing"

	"github.com/workerman-go/workerman/internal/nettest"
)

// TestMain says at the end which tests were skipped for want of a client.
func TestMain(m *testing.M) { os.Exit(nettest.Run(m)) }
