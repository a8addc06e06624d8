import { render } from 'preact';
import { App } from './App.js';
import './styles.css';

/** The dashboard's entry point, bundled to /ui/app.js (scripts/build-dashboard.mjs; docs/dashboard.md). */
const root = document.getElementById('root');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
