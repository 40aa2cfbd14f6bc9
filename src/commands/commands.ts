// The manifest's FunctionFile. The only button today opens the task pane (ShowTaskpane), so no function is
// registered yet; ExecuteFunction commands (e.g. "Sync now") would be associated here with Office.actions.associate.
Office.onReady(() => {
  // Nothing to do until a command exists; onReady tells Office the FunctionFile is ready.
});

export {};
