package cluster

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Settings. Set them in main before worker.RunAll: every process of the
// program runs main, so master and children see the same values. The
// environment variables beside them, when set, win: deployment configures
// what the code leaves open.
var (
	// URL lists external NATS servers, comma separated
	// ("nats://a:4222,nats://b:4222"). When set, every process connects there
	// and no embedded server runs. Environment: WM_NATS_URL.
	URL string
	// NATSOptions are added to every connection to an external NATS server:
	// credentials (nats.UserCredentials, nats.UserInfo, nats.Token), TLS
	// (nats.RootCAs, nats.ClientCert, nats.Secure) and the like.
	NATSOptions []nats.Option

	// Routes lists the cluster ports of the other machines' embedded servers
	// ("nats://hostB:6222,nats://hostC:6222"); the list may name this machine
	// too. It needs ClusterListen. Environment: WM_NATS_ROUTES.
	Routes string
	// ClusterListen is where the embedded server accepts routes from the
	// others ("0.0.0.0:6222"). Environment: WM_NATS_CLUSTER_LISTEN.
	ClusterListen string
	// ClusterSecret, when set, is the password every embedded server of the
	// cluster demands of the routes it accepts and gives on the routes it
	// opens: set the same on every machine. Environment: WM_NATS_CLUSTER_SECRET.
	ClusterSecret string
	// ConfigureServer, when set, may change the embedded server's options
	// before it starts (TLS for routes, limits, a monitoring port).
	ConfigureServer func(o *server.Options)

	// Prefix starts every subject the package uses, so that applications
	// can share a NATS cluster. It must be one valid token.
	Prefix = "wm"
	// QueryTimeout bounds how long a count or an online check waits for the
	// processes' answers. A count always waits this long (it cannot know how
	// many processes will answer); an online check returns at the first yes.
	QueryTimeout = 100 * time.Millisecond
	// OutageLimit is how long publishes are buffered while NATS is
	// unreachable; past it they fail with ErrUnavailable until the connection
	// is back.
	OutageLimit = 5 * time.Second
	// ReconnectBuffer bounds the bytes buffered for NATS during an outage;
	// past it publishes fail with ErrUnavailable.
	ReconnectBuffer = 8 << 20
	// InboxSize bounds the messages received from NATS and not yet handled
	// by the event loop, twice over (NATS's channel, then the loop's queue).
	// Past it NATS drops messages and reports a slow consumer, which is
	// logged.
	InboxSize = 8192
)

// Environment variables: those a deployment sets, and those a master hands
// its children.
const (
	EnvURL           = "WM_NATS_URL"
	EnvRoutes        = "WM_NATS_ROUTES"
	EnvClusterListen = "WM_NATS_CLUSTER_LISTEN"
	EnvClusterSecret = "WM_NATS_CLUSTER_SECRET"

	envServer = "WORKERMAN_GO_NATS"       // the master's embedded server
	envToken  = "WORKERMAN_GO_NATS_TOKEN" // and the secret it wants
)

// config is the settings resolved against the environment.
type config struct {
	url, routes, listen, secret string
}

func settings() config {
	pick := func(env, code string) string {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v
		}
		return strings.TrimSpace(code)
	}
	return config{
		url:    pick(EnvURL, URL),
		routes: pick(EnvRoutes, Routes),
		listen: pick(EnvClusterListen, ClusterListen),
		secret: pick(EnvClusterSecret, ClusterSecret),
	}
}

// serverOptions are the embedded server's options: client port on loopback
// (a random port, or none when it serves this process alone), the token it
// demands, and the routes of the configuration.
func (c config) serverOptions(token string, listen bool) (*server.Options, error) {
	o := &server.Options{
		Host:          "127.0.0.1",
		Port:          server.RANDOM_PORT,
		DontListen:    !listen,
		Authorization: token,
		NoLog:         true,
		NoSigs:        true,
	}
	if c.routes != "" && c.listen == "" {
		return nil, fmt.Errorf("cluster: %s is set but %s is not: the embedded server needs a port for the routes", EnvRoutes, EnvClusterListen)
	}
	if c.listen != "" {
		host, port, err := net.SplitHostPort(c.listen)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("cluster: %s=%q: want host:port", EnvClusterListen, c.listen)
		}
		o.Cluster = server.ClusterOpts{Name: "workerman", Host: host, Port: n}
		if c.secret != "" {
			o.Cluster.Username, o.Cluster.Password = "workerman", c.secret
		}
	}
	if c.routes != "" {
		for r := range strings.SplitSeq(c.routes, ",") {
			u, err := url.Parse(strings.TrimSpace(r))
			if err != nil || u.Hostname() == "" || u.Port() == "" {
				return nil, fmt.Errorf("cluster: %s=%q: want nats://host:port URLs, comma separated", EnvRoutes, c.routes)
			}
			if c.secret != "" && u.User == nil {
				u.User = url.UserPassword("workerman", c.secret)
			}
			o.Routes = append(o.Routes, u)
		}
	}
	if ConfigureServer != nil {
		ConfigureServer(o)
	}
	return o, nil
}

// startServer starts an embedded server and waits until it accepts.
func startServer(o *server.Options) (*server.Server, error) {
	s, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("cluster: embedded NATS server: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("cluster: embedded NATS server did not start within 10s")
	}
	return s, nil
}
