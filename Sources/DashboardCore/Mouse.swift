/// What a click points at on the screen (the renderer registers these as it draws).
public enum MouseTarget: Sendable, Equatable {
    /// Anywhere in a pane: its border, title or empty rows.
    case pane(Pane)
    /// A row, by its stable id (the rows may have moved since the frame was drawn).
    case row(Pane, RowID)
    /// A column title of a pane's table; nil when the pane cannot sort by it.
    case header(Pane, SortColumn?)

    /// The pane it is in.
    public var pane: Pane {
        switch self {
        case .pane(let p), .row(let p, _), .header(let p, _): p
        }
    }
}

/// A mouse event the console acts on (`ui.mouse` / `--mouse`).
public enum PointerEvent: Sendable, Equatable {
    case click
    case wheelUp, wheelDown
}

/// Rows the wheel moves the selection by.
let wheelStep = 3

func pointer(_ state: inout AppState, _ target: MouseTarget?, _ event: PointerEvent) -> [Effect] {
    // A prompt being typed keeps the keyboard's attention; an overlay takes the wheel.
    if state.editingFilter != nil || state.commandLine != nil || state.ackPrompt != nil { return [] }
    if state.overlay != .none {
        switch event {
        case .wheelUp: scrollOverlay(&state, by: -wheelStep)
        case .wheelDown: scrollOverlay(&state, by: wheelStep)
        case .click:
            // A click closes what a click cannot act on; a cancel dialog waits for y or n.
            switch state.overlay {
            case .help, .detail, .connections: state.overlay = .none
            default: break
            }
        }
        return []
    }
    guard let target else { return [] }
    state.focus = target.pane
    switch (target, event) {
    case (.pane, .click):
        break
    case (.row(let p, let id), .click):
        state.selection[p] = id
    case (.header(let p, let column), .click):
        guard let column, let index = AppState.sortColumns(p).firstIndex(of: column) else {
            flash(&state, "\(p.title) cannot be sorted by that column")
            return []
        }
        // A click on the sorted column reverses it; on another, sorts by it.
        let current = state.sortShown(p)
        state.setSort(p, column: index, descending: current?.column == column ? !current!.descending : column.descendingFirst)
    case (_, .wheelUp):
        move(&state, by: -wheelStep)
    case (_, .wheelDown):
        move(&state, by: wheelStep)
    }
    return []
}
