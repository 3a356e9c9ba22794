package connection

// Status is where a connection is in its life.
type Status int32

// The statuses, with Workerman's values.
const (
	StatusInitial     Status = 0
	StatusConnecting  Status = 1
	StatusEstablished Status = 2
	StatusClosing     Status = 8
	StatusClosed      Status = 16
)

func (s Status) String() string {
	switch s {
	case StatusInitial:
		return "INITIAL"
	case StatusConnecting:
		return "CONNECTING"
	case StatusEstablished:
		return "ESTABLISHED"
	case StatusClosing:
		return "CLOSING"
	case StatusClosed:
		return "CLOSED"
	}
	return "UNKNOWN"
}
