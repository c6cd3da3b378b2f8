// The template engine of the External Secrets Operator (v2.9.0, runtime/template/v2/template.go,
// func execute): Go's text/template with missingkey=error and sprig's text functions, over the
// data as strings. Reads {"template": "...", "data": {"key": "value"}} on stdin and writes the
// rendered bytes to stdout; a template error goes to stderr with exit status 1.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

func main() {
	var in struct {
		Template string            `json:"template"`
		Data     map[string]string `json:"data"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	t, err := template.New(".dockerconfigjson").Option("missingkey=error").Funcs(sprig.TxtFuncMap()).Parse(in.Template)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var out bytes.Buffer
	if err := t.Execute(&out, in.Data); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out.Bytes())
}
