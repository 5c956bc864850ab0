// The playground as a widget for course pages:
//
//   <script src="https://playground.example/embed.js"></script>
//   <pipeline-playground lesson="kafka-acks" lang="ko" height="480"></pipeline-playground>
//
// Each element embeds the app in its own sandboxed iframe (its own simulated world) and grows
// the iframe to the app's height as it changes. Attributes:
//   lesson, step, lang, theme ("light" | "dark")  which lesson to open, and how
//   height                                        the height in pixels before the app reports its
//                                                 own, and the least it may shrink to
//   script                                        a bare sandbox: commands run once at start (the
//                                                 element's text is used when there is no attribute)
//   src                                           where the app lives (default: beside embed.js)
(() => {
  const scriptUrl = document.currentScript ? document.currentScript.src : location.href;
  const APP_URL = new URL('./', scriptUrl).href;
  const PARAMS = ['lesson', 'step', 'lang', 'theme'];

  class PipelinePlayground extends HTMLElement {
    static get observedAttributes() { return [...PARAMS, 'height', 'script', 'src']; }

    constructor() {
      super();
      this.attachShadow({ mode: 'open' });
      this.onMessage = this.onMessage.bind(this);
    }

    connectedCallback() {
      window.addEventListener('message', this.onMessage);
      // While the page is still being parsed the element's text (its script) is not there yet.
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', () => this.render(), { once: true });
      } else {
        this.render();
      }
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.onMessage);
    }

    attributeChangedCallback() {
      if (this.iframe) this.render();
    }

    get minHeight() {
      const height = parseInt(this.getAttribute('height') ?? '', 10);
      return Number.isFinite(height) && height > 0 ? height : 480;
    }

    render() {
      const url = new URL(this.getAttribute('src') || 'index.html', APP_URL);
      url.searchParams.set('embed', '1');
      for (const name of PARAMS) {
        const value = this.getAttribute(name);
        if (value) url.searchParams.set(name, value);
      }
      const script = this.getAttribute('script') ?? this.textContent.trim();
      if (script) url.searchParams.set('script', script);

      const iframe = document.createElement('iframe');
      iframe.src = url.href;
      iframe.title = this.getAttribute('lesson')
        ? `Pipeline Playground lesson: ${this.getAttribute('lesson')}`
        : 'Pipeline Playground';
      // Scripts (the app) and its own origin (its wasm, its saved lesson progress); downloads for
      // exported files; popups for "open the full playground". No top navigation, no forms.
      iframe.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-downloads allow-popups allow-popups-to-escape-sandbox');
      iframe.setAttribute('allow', 'clipboard-write');
      iframe.style.cssText = `display:block;width:100%;border:0;height:${this.minHeight}px`;
      const style = document.createElement('style');
      style.textContent = ':host{display:block;border:1px solid #dde1e7;border-radius:8px;overflow:hidden}';
      this.shadowRoot.replaceChildren(style, iframe);
      this.iframe = iframe;
    }

    onMessage(event) {
      if (!this.iframe || event.source !== this.iframe.contentWindow) return;
      const data = event.data;
      if (data && data.type === 'pipeline-playground:resize' && Number.isFinite(data.height)) {
        this.iframe.style.height = `${Math.max(this.minHeight, Math.ceil(data.height))}px`;
        this.dispatchEvent(new CustomEvent('resize', { detail: { height: data.height } }));
      }
    }
  }

  if (!customElements.get('pipeline-playground')) {
    customElements.define('pipeline-playground', PipelinePlayground);
  }
})();
