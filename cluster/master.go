package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/workerman-go/workerman/worker"
)

func init() { worker.RegisterExtension(&embedded{}) }

// embedded is the master's side: the NATS server it runs for its children,
// unless the configuration names external servers.
type embedded struct {
	mu       sync.Mutex
	srv      *server.Server
	token    string
	external string
}

func (e *embedded) Name() string { return "nats" }

// Start runs the embedded server on a random loopback port with a fresh
// token, so that only this program's processes can use it.
func (e *embedded) Start() error {
	cfg := settings()
	if err := checkToken("Prefix", Prefix); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if cfg.url != "" {
		e.external = cfg.url
		return nil
	}
	token := secret()
	o, err := cfg.serverOptions(token, true)
	if err != nil {
		return err
	}
	s, err := startServer(o)
	if err != nil {
		return err
	}
	e.srv, e.token = s, token
	return nil
}

// Env hands a child the server's address and token.
func (e *embedded) Env() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv == nil {
		return nil
	}
	return []string{envServer + "=" + e.srv.ClientURL(), envToken + "=" + e.token}
}

func (e *embedded) Status() string {
	e.mu.Lock()
	s, ext := e.srv, e.external
	e.mu.Unlock()
	if s == nil {
		if ext != "" {
			return "external " + ext
		}
		return "not running"
	}
	v, err := s.Varz(nil)
	if err != nil {
		return s.ClientURL() + " " + err.Error()
	}
	line := fmt.Sprintf("%s  clients %d  messages in %d out %d  bytes in %d out %d  slow consumers %d",
		s.ClientURL(), v.Connections, v.InMsgs, v.OutMsgs, v.InBytes, v.OutBytes, v.SlowConsumers)
	if v.Cluster.Port != 0 {
		line += fmt.Sprintf("  route connections %d (cluster port %s:%d)", s.NumRoutes(), v.Cluster.Host, v.Cluster.Port)
	}
	return line
}

// Stop shuts the server down once the children are gone.
func (e *embedded) Stop() {
	e.mu.Lock()
	s := e.srv
	e.srv = nil
	e.mu.Unlock()
	if s != nil {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// secret is a random token for the embedded server.
func secret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}
