// Package bpmn reads and writes BPMN 2.0 XML as workflows of package
// workflow (the Effektif model), the way Effektif mapped them, with its
// extension namespace http://effektif.com/bpmn20 (prefix e) for what plain
// BPMN cannot hold.
//
// # Reading
//
// Import reads any document a modeler writes: the BPMN namespace under any
// prefix (elements are matched by namespace URI, never by prefix), with or
// without an XML declaration, in UTF-8, UTF-16 (with or without a byte
// order mark), ISO-8859-1, windows-1252 or any other encoding the IANA or
// WHATWG registries name. It refuses a DOCTYPE that declares entities,
// documents over MaxSize bytes and elements nested deeper than MaxDepth.
//
// A document has one or more processes; Import imports one: the one with
// the most flow nodes (among equals an executable one, then the first).
// When that one is not executable and has elements the engine cannot run,
// the largest executable process that imports is taken instead, with a
// warning. Everything else of the document (other processes, the
// collaboration with its pools and message flows, messages, signals,
// errors, item definitions, other diagrams, root attributes and namespace
// declarations) is kept as XML in the workflow property bpmnDefinitions,
// and what the imported process holds besides flow elements (lanes, data
// objects, artifacts, vendor extensions) in the workflow's BPMN field, so
// that Export writes it all back.
//
// Mapping of flow elements (e: is the Effektif namespace, camunda: also
// stands for Activiti's and Flowable's; events.go says how event
// definitions become a workflow.Event: message and signal names, error and
// escalation codes resolved through their references):
//
//	startEvent (none, message, timer, signal,  startEvent; the definition stays in BPMN (an instance
//	  conditional)                             starts with Engine.Start whatever its start event says);
//	                                           the process's start event's camunda:formData of simple
//	                                           fields becomes the form trigger (without an e:trigger)
//	startEvent of an event sub-process         startEvent with Event (message, timer, signal, error,
//	                                           escalation, conditional, compensation);
//	                                           isInterrupting="false" sets NonInterrupting
//	endEvent                                   endEvent; terminateEventDefinition sets Terminate;
//	                                           signal, error, escalation, compensation set Event;
//	                                           a message definition stays in BPMN
//	task, manualTask, intermediateThrowEvent   task (passes through); a throw event's message
//	  (none, message)                          definition stays in BPMN
//	intermediateThrowEvent (signal,            throwEvent with Event
//	  escalation, link, compensation)
//	userTask                                   userTask: e:taskName, e:assigneeId, e:candidateId,
//	                                           e:candidateGroupId(s), e:form, e:dueDate, e:access; else
//	                                           camunda:assignee/candidateUsers/candidateGroups,
//	                                           zeebe:assignmentDefinition, humanPerformer (assignee)
//	                                           and potentialOwner (user(x), group(x), x = group) when
//	                                           they are ids or ${path} / =path; camunda:formData of
//	                                           simple fields becomes the form
//	serviceTask e:type="email", sendTask       email: e:fromEmailAddress, e:to/cc/bcc EmailAddress,
//	                                           UserId, GroupId, e:attachmentFileId, e:subject,
//	                                           e:bodyText, e:bodyHtml (a sendTask with a worker, see
//	                                           below, is a serviceTask); else a camunda:connector with
//	                                           connectorId mail-send: inputs to, cc, bcc, from (addresses
//	                                           or ${path}), subject, text, html (${path} -> {{path}}), all
//	                                           or nothing; another connector or input is kept in BPMN
//	                                           with a warning that the task sends no mail
//	serviceTask, businessRuleTask              serviceTask: serviceKey from e:serviceKey, camunda:topic
//	                                           (camunda:type="external"), zeebe:taskDefinition type or
//	                                           e:type, else DefaultServiceKey; actionKey from
//	                                           e:actionKey, else the activity id
//	scriptTask                                 scriptTask: scriptFormat and <script>, e:mapping
//	receiveTask, intermediateCatchEvent        receiveTask; messageRef sets Event (the message name)
//	  (message)
//	intermediateCatchEvent (timer)             timerEvent with Due (see timers.go for times)
//	intermediateCatchEvent (signal,            catchEvent with Event
//	  conditional, link)
//	exclusiveGateway, inclusiveGateway         same; default sets DefaultTransitionID
//	parallelGateway                            parallelGateway
//	eventBasedGateway (exclusive, not          eventBasedGateway
//	  instantiating)
//	callActivity                               call: calledElement or zeebe:calledElement ->
//	                                           SubWorkflowSource, e:subWorkflowId; camunda:in/out
//	                                           -> InputBindings/OutputBindings (without any, the
//	                                           engine starts nothing and waits for Message)
//	subProcess                                 subProcessEmbedded with its own activities,
//	                                           transitions and e:variables; triggeredByEvent="true"
//	                                           sets TriggeredByEvent (an event sub-process)
//	boundaryEvent (timer)                      a Timer of the attached activity: cancelActivity="false"
//	                                           sets NonInterrupting, a cycle its Repetitions, its
//	                                           outgoing flows are ToTransitionIDs (their From is the
//	                                           timer's id)
//	boundaryEvent (message, signal, error,     a BoundaryEvent of the attached activity, the same way,
//	  escalation, conditional, compensation)   with its Event and the unmapped XML; a compensation
//	                                           event's association to a handler sets HandlerID
//	sequenceFlow                               Transition; condition from e:condition, else a plain
//	                                           conditionExpression parseCondition can convert (${a > 1},
//	                                           =a, bpmn:getDataObject('a') = 'x', …); any other
//	                                           expression stays in BPMN, the condition is
//	                                           "unspecified" (ignored by the engine) and a warning says
//	                                           so; an empty one is no condition
//
// Any activity: name, documentation (description), e:property (Properties),
// e:input, e:output, e:configuration, isForCompensation="true"
// (ForCompensation), multi-instance from e:multiInstance, else
// multiInstanceLoopCharacteristics with camunda:collection/elementVariable
// or zeebe:loopCharacteristics, loopCardinality (a number or ${path}) and
// completionCondition (parseCondition) — without a collection or
// cardinality it runs once, which Validate warns about —, and a standard
// loop from e:loop, else standardLoopCharacteristics (testBefore,
// loopMaximum, loopCondition; without a condition it runs once).
// Lanes, data objects and stores, text annotations, associations, groups,
// categories and anything of another namespace are not activities: they
// are kept, never an error.
//
// Pragmatic mappings, documented for what they are: a conditional event
// with an empty condition (descriptive models have them) never fires; a
// timer without a time never fires; a call activity that names no process
// only waits; link names match with their white space normalized; an
// exclusive gateway with several unconditioned flows takes the first that
// does not lead back to it. Validate warns about each.
//
// Import fails with an *UnsupportedError listing every element the engine
// cannot run: complexGateway, transaction, adHocSubProcess, choreography
// elements, an eventBasedGateway that instantiates or is parallel,
// events with several definitions ("multiple"), an intermediate catch
// event without a definition, boundary events without a definition or
// with a link, terminate or cancel definition, cancel end events, error,
// escalation and compensation start events outside event sub-processes, an
// event sub-process start event without a definition, conditions of
// conditional events and loops that parseCondition cannot convert,
// multi-instance with a collection that is not a variable path, a
// loopDataInputRef, a loopCardinality other than a number or a path, or a
// completion condition parseCondition cannot convert, timers whose time is
// an expression other than a date (a duration or cycle from a variable, a
// cron cycle, a cycle with a start date or R0). A sequence flow ending at
// an element that is not a flow node makes that element unsupported too.
// Malformed XML, a document without a process, duplicate ids or a boundary
// event attached to nothing are a *FormatError with the line.
//
// # Writing
//
// Export writes the model back as standard BPMN 2.0 (isExecutable="true",
// incoming and outgoing references, conditions also as JUEL
// conditionExpressions, timers as ISO 8601 durations, cycles or dates,
// event definitions pointing to message, signal, error and escalation
// root elements, made when the document has none of that name) with the
// Effektif extensions, inside what Import kept. BPMN DI comes from the
// workflow's Diagram (see diagram.go), and layout.go places what it lacks.
// Import completes the diagram the same way, so a workflow imported from a
// file without DI already has a layout.
//
// # Round trip
//
// Import, Export, Import gives the same workflow: the JSON of the whole
// model, including the kept XML (BPMN fields and bpmnDefinitions) and the
// diagram, is equal. Tests check it for every process of the BPMN MIWG
// corpus (all of which import, validate without errors and run in the
// engine) and for the files under testdata.
package bpmn
