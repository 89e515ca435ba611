/// What a click points at on the screen (the renderer registers these as it draws).
public enum MouseTarget: Sendable, Equatable {
    /// Anywhere in a pane: its border, title or empty rows.
    case pane(Pane)
    /// A row, by its stable id (the rows may have moved since the frame was drawn).
    case row(Pane, RowID)
    /// A column title of a pane's table; nil when the pane cannot sort by it.
    case header(Pane, SortColumn?)
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
    switch (target, event) {
    case (.pane(let p), .click):
        state.focus = p
    case (.row(let p, let id), .click):
        state.focus = p
        state.selection[p] = id
    case (.header(let p, let column), .click):
        state.focus = p
        guard let column else {
            flash(&state, "\(p.title) cannot be sorted by that column")
            return []
        }
        let columns = AppState.sortColumns(p)
        guard let index = columns.firstIndex(of: column) else { return [] }
        // A click on the sorted column reverses it; on another, sorts by it.
        if p == .sessions {
            if state.sessionSort.rawValue == index {
                state.sessionSortDescending.toggle()
            } else {
                state.sessionSort = SessionSort(rawValue: index)!
                state.sessionSortDescending = column.descendingFirst
            }
        } else if let current = state.sorts[p], current.column == index {
            state.sorts[p]?.descending.toggle()
        } else {
            state.sorts[p] = PaneSort(column: index, descending: column.descendingFirst)
        }
    case (.pane(let p), .wheelUp), (.row(let p, _), .wheelUp), (.header(let p, _), .wheelUp):
        state.focus = p
        move(&state, by: -wheelStep)
    case (.pane(let p), .wheelDown), (.row(let p, _), .wheelDown), (.header(let p, _), .wheelDown):
        state.focus = p
        move(&state, by: wheelStep)
    }
    return []
}
