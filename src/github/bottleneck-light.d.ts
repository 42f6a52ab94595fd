// Types for Bottleneck's dependency-free build, the copy @octokit/plugin-throttling
// and @octokit/plugin-retry import (the package types only its main entry).
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
