// 媒体库 (media library): the same keys as ../zh-CN/media.ts.
import type zh from '../zh-CN/media'

export default {
  title: 'Media library',
  upload: 'Upload',
  filename: 'File name',
  type: 'Type',
  size: 'Size',
  alt: 'Alt text',
  uploadedAt: 'Uploaded',
  dims: 'Dimensions',
  copy: 'Copy URL',
  copied: 'Copied',
} satisfies Record<keyof typeof zh, string>
