// hls.js ships types for its full build only. The light build leaves out
// subtitles, alternate audio and DRM, which cameras do not use, and has the
// same API: it takes the full build's types.
declare module "hls.js/light" {
  export * from "hls.js";
  export { default } from "hls.js";
}
