package scenarios

import _ "embed"

//go:embed scenario.schema.json
var schema []byte

// Schema is the JSON Schema (draft 2020-12) of the scenario format, for editors to
// complete and check scenario files (`pwemu schema` prints it). A test keeps it in
// step with the Go types.
func Schema() []byte {
	return append([]byte(nil), schema...)
}
