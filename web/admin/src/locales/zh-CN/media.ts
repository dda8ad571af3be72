// 媒体库 (media library).
export default {
  title: '媒体库',
  upload: '上传文件',
  filename: '文件名',
  type: '类型',
  size: '大小',
  alt: '替代文本',
  uploadedAt: '上传时间',
  dims: '尺寸',
  copy: '复制地址',
  copied: '已复制',
}
