// js-yaml for the built CLI (the build redirects kdisco's imports of it here): dist/js-yaml.cjs with its code cache.
import type * as JsYaml from 'js-yaml'
import {requireBundled} from './bundled.js'

export const {EVENT_ID, YAMLException, constructFromEvents, dump, parseEvents} = requireBundled<typeof JsYaml>('js-yaml')
