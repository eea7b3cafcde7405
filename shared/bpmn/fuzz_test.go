package bpmn

import (
	"github.com/effektif-serverless/caseflow/shared/bpmn/charsets"

	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzImport: Import never panics, and fails only with a *FormatError or an
// *UnsupportedError; what imports exports and imports again. Run with
// go test -fuzz=FuzzImport ./shared/bpmn/
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.bpmn")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(processDoc(`<task id="a"/><boundaryEvent id="b" attachedToRef="a"><timerEventDefinition><timeDate>${d}</timeDate></timerEventDefinition></boundaryEvent>`))
	f.Add(eventDoc(`<userTask id="u"/><task id="a"/><serviceTask id="undo" isForCompensation="true"/><eventBasedGateway id="g"/>
		<boundaryEvent id="bm" attachedToRef="u" cancelActivity="false"><messageEventDefinition messageRef="m1"/></boundaryEvent>
		<boundaryEvent id="bk" attachedToRef="u"><compensateEventDefinition/></boundaryEvent>
		<association id="as" sourceRef="bk" targetRef="undo"/><sequenceFlow id="f1" sourceRef="bm" targetRef="a"/>
		<intermediateThrowEvent id="l"><linkEventDefinition name="x"/></intermediateThrowEvent>
		<task id="loop"><standardLoopCharacteristics loopMaximum="3"><loopCondition>${a &lt; 3}</loopCondition></standardLoopCharacteristics></task>
		<subProcess id="esp" triggeredByEvent="true"><startEvent id="es" isInterrupting="false"><timerEventDefinition><timeCycle>R2/PT1H</timeCycle></timerEventDefinition></startEvent></subProcess>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, _, err := ImportEncoded(data, charsets.Lookup) // as the workflows function reads them
		var fe *FormatError
		var ue *UnsupportedError
		switch {
		case errors.As(err, &fe):
			if strings.Contains(fe.Msg, "internal error") {
				t.Fatalf("recovered panic: %v", err)
			}
			return
		case errors.As(err, &ue):
			if len(ue.Elements) == 0 {
				t.Fatal("UnsupportedError without elements")
			}
			return
		case err != nil:
			t.Fatalf("error of type %T: %v", err, err)
		}
		out, err := Export(w)
		if err != nil {
			t.Fatalf("export of an import: %v", err)
		}
		if _, err := Import(out); err != nil {
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
		}
	})
}
