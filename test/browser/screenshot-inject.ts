/**
 * Makes docs/screenshots/inject.png: an inject node whose button was pressed, its payload in Properties, one debug node
 * on (its message in the debug panel) and one switched off. Run: `node --import tsx test/browser/screenshot-inject.ts`.
 */
import { selectNode } from './support/editor-page.js';
import { screenshotScript } from './support/screenshot-run.js';

const flow = {
  format: 'sluice/flow@1',
  id: 'inject-shot',
  name: 'Try a message by hand',
  nodes: [
    {
      id: 'reading',
      name: 'Sample reading',
      type: 'inject',
      config: { payloadType: 'json', payload: '{"device": "press-4", "temp": 71.5}', topic: 'plant/press-4/temp' },
      position: { x: 80, y: 160 },
    },
    { id: 'shown', name: 'Shown', type: 'debug', config: {}, position: { x: 420, y: 80 } },
    { id: 'muted', name: 'Muted', type: 'debug', config: { active: false }, position: { x: 420, y: 240 } },
  ],
  edges: [
    { source: 'reading', sourcePort: 'out', target: 'shown', targetPort: 'in' },
    { source: 'reading', sourcePort: 'out', target: 'muted', targetPort: 'in' },
  ],
};

screenshotScript(flow, async ({ page, path, deploy }) => {
  await page.waitForSelector('[data-testid="node-reading"]');
  await deploy();
  await page.locator('[data-testid="inject-reading"]').click();
  const debugTab = page.getByRole('tab', { name: /^Debug/ });
  if ((await debugTab.getAttribute('aria-selected')) !== 'true') await debugTab.click();
  await page.waitForSelector('[data-testid="debug-entry"]');
  await selectNode(page, 'reading');
  await page.mouse.move(5, 5);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path('inject.png') });
});
