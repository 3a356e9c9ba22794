package sessionredis

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/workerman-go/workerman/protocols/http"
)

// Defaults of the Handler fields left zero.
const (
	DefaultPrefix   = "redis_session_" // Workerman's
	DefaultLifetime = 1440 * time.Second
	DefaultTimeout  = 200 * time.Millisecond
	DefaultBackoff  = time.Second
)

// ErrUnavailable is returned, without asking Redis, for calls made within
// Backoff of a call that could not reach it.
var ErrUnavailable = errors.New("sessionredis: Redis unreachable, not asked again yet")

// Handler is an http.SessionHandler on Redis. Set its fields before its
// first use; Open fills the ones left zero with the defaults.
type Handler struct {
	// Client reaches Redis: a single server, a Cluster or a Sentinel
	// failover group. NewClient makes one that honours Timeout.
	Client redis.UniversalClient
	// Prefix starts every key.
	Prefix string
	// Lifetime is each session's TTL; give it the SessionConfig's Lifetime.
	Lifetime time.Duration
	// Timeout bounds each call, retries included.
	Timeout time.Duration
	// Backoff is how long calls fail at once with ErrUnavailable after one
	// could not reach Redis, so that an outage costs the event loop one
	// Timeout per Backoff rather than one per request; negative turns it off.
	Backoff time.Duration

	downUntil atomic.Int64 // unix nanoseconds
}

var _ http.SessionHandler = (*Handler)(nil)

// NewClient makes a client for opts (one address: a single server; several,
// or IsClusterMode: a Cluster; MasterName: Sentinel) whose calls end when
// their context does, with DefaultTimeout for each of the dial, read, write
// and pool timeouts left zero.
func NewClient(opts *redis.UniversalOptions) redis.UniversalClient {
	o := *opts
	o.ContextTimeoutEnabled = true
	for _, d := range []*time.Duration{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout} {
		if *d == 0 {
			*d = DefaultTimeout
		}
	}
	return redis.NewUniversalClient(&o)
}

// Open fills the fields left zero; it needs Client.
func (h *Handler) Open(_, _ string) error {
	if h.Client == nil {
		return errors.New("sessionredis: Handler.Client is nil")
	}
	if h.Prefix == "" {
		h.Prefix = DefaultPrefix
	}
	if h.Lifetime <= 0 {
		h.Lifetime = DefaultLifetime
	}
	if h.Timeout <= 0 {
		h.Timeout = DefaultTimeout
	}
	if h.Backoff == 0 {
		h.Backoff = DefaultBackoff
	}
	return nil
}

// Close does nothing: the client belongs to the caller.
func (h *Handler) Close() error { return nil }

// call runs fn on the session's key within Timeout. The id is checked first,
// so that no key outside Prefix is ever named.
func (h *Handler) call(op, id string, fn func(ctx context.Context, key string) error) error {
	if !http.ValidSessionID(id) {
		return http.ErrInvalidSessionID
	}
	if until := h.downUntil.Load(); until != 0 && time.Now().UnixNano() < until {
		return fmt.Errorf("sessionredis: %s: %w", op, ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()
	err := fn(ctx, h.Prefix+id)
	var reply redis.Error // Redis answered: it is there
	switch {
	case err == nil || errors.As(err, &reply):
		h.downUntil.Store(0)
	case h.Backoff > 0:
		h.downUntil.Store(time.Now().Add(h.Backoff).UnixNano())
	}
	if err != nil {
		return fmt.Errorf("sessionredis: %s: %w", op, err)
	}
	return nil
}

// Read returns the session's data, nil when its key is gone.
func (h *Handler) Read(id string) ([]byte, error) {
	var b []byte
	err := h.call("read", id, func(ctx context.Context, key string) error {
		var err error
		b, err = h.Client.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			b, err = nil, nil
		}
		return err
	})
	return b, err
}

// Write stores the data with a TTL of Lifetime. A nil error means Redis
// acknowledged it.
func (h *Handler) Write(id string, data []byte) error {
	return h.call("write", id, func(ctx context.Context, key string) error {
		return h.Client.Set(ctx, key, data, h.Lifetime).Err()
	})
}

// Destroy deletes the session's key.
func (h *Handler) Destroy(id string) error {
	return h.call("destroy", id, func(ctx context.Context, key string) error {
		return h.Client.Del(ctx, key).Err()
	})
}

// GC does nothing: Redis removes each session when its TTL runs out.
func (h *Handler) GC(time.Duration) error { return nil }

// UpdateTimestamp sets the TTL back to Lifetime; a session already gone
// stays gone.
func (h *Handler) UpdateTimestamp(id string, _ []byte) error {
	return h.call("refresh", id, func(ctx context.Context, key string) error {
		return h.Client.PExpire(ctx, key, h.Lifetime).Err()
	})
}
