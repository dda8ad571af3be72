import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Dev server proxies the API (and media/theme assets) to a running `zhanqun serve`.
const target = process.env.ZQ_API ?? 'http://127.0.0.1:8081'

export default defineConfig({
  base: '/',
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: false })],
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/_media': { target },
      '/_theme': { target },
    },
  },
  build: {
    chunkSizeWarningLimit: 1500,
  },
})
