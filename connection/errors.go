package connection

import "errors"

// Error codes passed to OnError.
const (
	ConnectFail = 1
	SendFail    = 2
	// RecvBudgetFail: the connection was closed because the bytes of
	// incomplete packages the process holds would pass InputBudget.
	RecvBudgetFail = 3
)

// sendFullMsg is Workerman's OnError message for a dropped send.
const sendFullMsg = "send buffer full and drop package"

var (
	// ErrClosed: the connection is closing or closed, so nothing more is sent.
	ErrClosed = errors.New("connection: closed")
	// ErrBufferFull: the send buffer is at MaxSendBufferSize and the package was dropped.
	ErrBufferFull = errors.New("connection: " + sendFullMsg)
)
