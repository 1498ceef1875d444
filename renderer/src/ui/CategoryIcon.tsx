import type { NodeCategory } from '../../../src/spec/index.js';
import { IconRule, IconSink, IconSource, IconTransform, IconUtility } from './icons.js';

export function CategoryIcon({ category, size }: { category: NodeCategory | undefined; size?: number }) {
  switch (category) {
    case 'source':
      return <IconSource size={size} />;
    case 'transform':
      return <IconTransform size={size} />;
    case 'rule':
      return <IconRule size={size} />;
    case 'sink':
      return <IconSink size={size} />;
    default:
      return <IconUtility size={size} />;
  }
}
