// Package sweep keeps the sets of connections that one repeating timer of
// the process visits instead of a timer per connection: HTTP connections
// with deadlines, WebSocket connections that are pinged. Each member
// remembers its own position, so adding and removing cost O(1) and the
// sweep walks a plain slice.
package sweep
