package connection

// closeObservers run after every connection's OnClose; registered once, they
// are read on the loop only.
var closeObservers []func(c *TcpConnection)

// ObserveClose adds fn to what runs when any connection of the process
// closes, after the connection's own OnClose (which stays the
// application's): how a module keeps per-connection state without taking
// over OnClose. Register observers before the loop runs (in init or main);
// fn runs on the loop.
func ObserveClose(fn func(c *TcpConnection)) {
	closeObservers = append(closeObservers, fn)
}

func notifyClosed(c *TcpConnection) {
	for _, fn := range closeObservers {
		c.guard("close observer", func() { fn(c) })
	}
}

// Lookup returns the open connection of this process with the given ID, or
// nil. Loop-only.
func Lookup(id uint64) *TcpConnection {
	for _, o := range origins {
		if c, ok := o.table[id]; ok && c.counted {
			return c
		}
	}
	return nil
}
