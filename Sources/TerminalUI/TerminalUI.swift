// TerminalUI: owns the terminal — setting it up and restoring it (NCursesScreen, with the CTerminal signal
// guard), widgets (cell grid, braille/ASCII canvases, tables, overlays, half-block images) and the viewer
// (state, the key table, the screen builder, the event loop). It estimates nothing and reads no file
// format: frames come from PoseScope (its pipeline, background estimation and display images).
