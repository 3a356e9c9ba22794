package sessionredis_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/workerman-go/workerman/internal/nettest"
)

// redisServer is a real redis-server on a loopback port, its data in a
// directory of the test's (append-only, fsync on every write), so that a
// restart on the same port keeps every acknowledged write.
type redisServer struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	args []string

	mu   sync.Mutex // kill may run on a server's loop
	stop func()
}

// startRedis starts redis-server with extra arguments, or skips the test
// when it is not installed.
func startRedis(t *testing.T, extra ...string) *redisServer {
	t.Helper()
	rs := &redisServer{t: t, bin: nettest.Need(t, "redis-server"), dir: t.TempDir(), addr: nettest.FreeAddr(t), args: extra}
	rs.start()
	return rs
}

// start runs the server and waits until it answers PING.
func (rs *redisServer) start() {
	rs.t.Helper()
	_, port, _ := net.SplitHostPort(rs.addr)
	args := append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", rs.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"}, rs.args...)
	cmd := exec.Command(rs.bin, args...)
	log, err := os.OpenFile(rs.dir+"/redis.log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		rs.t.Fatal(err)
	}
	rs.t.Cleanup(func() { log.Close() })
	cmd.Stdout, cmd.Stderr = log, log
	stop := nettest.Start(rs.t, cmd)
	rs.mu.Lock()
	rs.stop = stop
	rs.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: rs.addr, MaxRetries: -1})
	defer c.Close()
	nettest.Eventually(rs.t, "redis-server answers", func() bool {
		return c.Ping(context.Background()).Err() == nil
	})
}

// kill stops the server by its pid, at once, as a crash would.
func (rs *redisServer) kill() {
	rs.mu.Lock()
	stop := rs.stop
	rs.mu.Unlock()
	stop()
}

// restart starts the server again on the same port with the same data.
func (rs *redisServer) restart() { rs.start() }

// client is a plain client for looking at the keys.
func (rs *redisServer) client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: rs.addr})
	rs.t.Cleanup(func() { c.Close() })
	return c
}

// keys lists every key in the server.
func (rs *redisServer) keys() []string {
	rs.t.Helper()
	ks, err := rs.client().Keys(context.Background(), "*").Result()
	if err != nil {
		rs.t.Fatal(err)
	}
	return ks
}

// waitClusterOK waits until a cluster node reports cluster_state:ok.
func waitClusterOK(t *testing.T, c *redis.Client) {
	t.Helper()
	nettest.Eventually(t, "the cluster is ok", func() bool {
		info, err := c.ClusterInfo(context.Background()).Result()
		return err == nil && strings.Contains(info, "cluster_state:ok")
	})
}

// callTimeout is the Timeout of the handlers under test: it bounds nothing the
// tests assert on, and only keeps a shared machine's pauses from failing calls.
const callTimeout = 5 * time.Second
