// The demo SPA's router: replaces the main content and pushes a URL, as client-side routers do.
const views = { home: 'Welcome to the store.', tents: 'Two-person tents from 1.2 kg.', packs: 'Packs from 20 to 70 litres.' };
function show(view, push) {
  document.getElementById('view-title').textContent = view[0].toUpperCase() + view.slice(1);
  document.getElementById('view-body').textContent = views[view];
  if (push) history.pushState({ view }, '', `/spa.html#${view}`);
}
document.querySelectorAll('button[data-view]').forEach((b) => b.addEventListener('click', () => show(b.dataset.view, true)));
addEventListener('popstate', (e) => show((e.state && e.state.view) || 'home', false));
