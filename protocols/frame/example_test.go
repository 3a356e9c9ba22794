package frame_test

import (
	"fmt"

	"github.com/workerman-go/workerman/protocols/frame"
)

// What the loop does with the frame protocol: Input reads the total length
// from the header, Decode hands OnMessage the payload, Encode adds a header.
func Example() {
	p := frame.Protocol{}
	buf := []byte("\x00\x00\x00\x09jhdxr\x00\x00")

	n, _ := p.Input(buf, conn{})
	msg, _ := p.Decode(buf[:n], conn{})
	fmt.Printf("package of %d bytes: %q\n", n, msg)

	rest, _ := p.Input(buf[n:], conn{})
	fmt.Println("two bytes are not a header:", rest == 0)

	out, _ := p.Encode(nil, "hi", conn{})
	fmt.Printf("reply on the wire: %q\n", out)
	// Output:
	// package of 9 bytes: "jhdxr"
	// two bytes are not a header: true
	// reply on the wire: "\x00\x00\x00\x06hi"
}
