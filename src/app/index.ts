import type { Probot } from 'probot';

/**
 * The Changeproof Probot app. Wires one short handler per event; the
 * handlers themselves live in `handlers/`.
 */
export default function changeproof(app: Probot): void {
  app.log.info('Changeproof is running');
}
