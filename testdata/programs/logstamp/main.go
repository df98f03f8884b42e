// Command logstamp copies standard input to standard output with each line
// prefixed by the time it was read, as GitHub Actions shows a job's log:
// "2026-12-06T03:40:32.1234567Z " (UTC, seven fractional digits, a space).
// regen pipes `go test` output through it for the *_stamped captures.
package main

import (
	"bufio"
	"io"
	"os"
	"time"
)

func main() {
	in := bufio.NewReaderSize(os.Stdin, 64*1024)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			out.WriteString(time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z") + " ")
			out.Write(line)
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			os.Stderr.WriteString("logstamp: " + err.Error() + "\n")
			os.Exit(1)
		}
	}
}
