// Entry of dist/loader.js and the only loader file that touches the real globals. Everything else takes
// them as arguments (Partytown's `boot(script, win)` pattern) so tests can drive it with a fake window.
// `document.currentScript` is only set while a classic script runs its top level (it is null in
// callbacks and in modules), so it must be read here, synchronously. `window.Kataven` is whatever the
// page put there (the stub, another copy of the loader, anything), not the typed API the global declares.
import { boot, type LoaderWindow } from './boot.js';

boot(document.currentScript as HTMLScriptElement | null, window as LoaderWindow);
