// Keyboard shortcuts and small DOM helpers for the agent workspace (interactive pages only).
const keys = new Set(['j', 'k', 'x', 'r', 'n', 'a', '?', 'Enter', 'Escape']);

export function bindShortcuts(dotnet) {
    const handler = event => {
        // Ctrl+Enter (Cmd+Enter) in the composer sends.
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target instanceof Element && event.target.id === 'draft') {
            event.preventDefault();
            event.target.dispatchEvent(new Event('change', { bubbles: true }));
            dotnet.invokeMethodAsync('OnShortcut', 'send');
            return;
        }
        if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !keys.has(event.key)) {
            return;
        }
        const target = event.target;
        const typing = target instanceof Element && target.closest('input, textarea, select, [contenteditable=true]');
        if (typing) {
            if (event.key === 'Escape') {
                target.blur();
            }
            return;
        }
        // Enter on a link or button keeps its own meaning.
        if (event.key === 'Enter' && target instanceof Element && target.closest('a, button')) {
            return;
        }
        event.preventDefault();
        dotnet.invokeMethodAsync('OnShortcut', event.key);
    };
    document.addEventListener('keydown', handler);
    // Tells people (and tests) that the page is live: shortcuts work from here on.
    document.documentElement.dataset.shortcuts = 'on';
    return {
        dispose: () => {
            document.removeEventListener('keydown', handler);
            delete document.documentElement.dataset.shortcuts;
        },
    };
}

export function focus(selector) {
    const element = document.querySelector(selector);
    if (element) {
        element.focus();
        element.scrollIntoView({ block: 'nearest' });
    }
}

// Sandboxed message frames (no scripts run in them) get the height of their content.
export function fitFrames() {
    for (const frame of document.querySelectorAll('iframe.message-html')) {
        const fit = () => {
            const doc = frame.contentDocument;
            if (doc && doc.documentElement) {
                frame.style.height = (doc.documentElement.scrollHeight + 4) + 'px';
            }
        };
        if (!frame.dataset.fitted) {
            frame.dataset.fitted = '1';
            frame.addEventListener('load', fit);
        }
        fit();
    }
}

// "/" anywhere in the workspace (outside a field) focuses the search box in the top bar, its text selected.
let searchKeyBound = false;
export function bindSearchKey() {
    if (searchKeyBound) {
        return;
    }
    searchKeyBound = true;
    document.addEventListener('keydown', event => {
        if (event.key !== '/' || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
            return;
        }
        const target = event.target;
        if (target instanceof Element && target.closest('input, textarea, select, [contenteditable=true]')) {
            return;
        }
        const box = document.getElementById('global-search');
        if (box) {
            event.preventDefault();
            box.focus();
            box.select();
        }
    });
}

// Marks the document once the workspace's live connection is up.
export function markLive() {
    document.documentElement.dataset.live = 'on';
}
