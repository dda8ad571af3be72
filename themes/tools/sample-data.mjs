// Realistic sample data for one school site, shaped exactly like the data the
// publisher gives templates (docs/themes.md, "The data every template gets").
// Fields marked ASSUMED are not (yet) in docs/themes.md; the themes use them and
// the publisher is expected to provide them (see themes/tools/README.md).

const SITE_NAME = '上海市闵行区启智实验学校';

export function site(theme) {
  const s = {
    name: SITE_NAME,
    code: 'ms103',
    domain: 'ms103.demo.test',
    base_url: '',
    theme_assets: `/_theme/${theme}`,
    sponsor: '上海市闵行区启智实验学校',
    contact_name: '学校办公室',
    contact_phone: '021-6400 0000',
    contact_email: 'xxb@ms103.demo.test',
    site_id_code: '3101120099',
    icp: '沪ICP备00000000号-1',
    police_record: '沪公网安备31011202000000号',
    error_report_url: 'https://zfwzzc.www.gov.cn/',
    year: '2025',
  };
  return withFlags(s);
}

// The has_* booleans: the ones in docs/themes.md plus the ASSUMED ones
// (has_sponsor, has_error_report, has_contact_name/phone/email, has_logo).
export function withFlags(s) {
  return {
    ...s,
    has_site_id_code: !!s.site_id_code,
    has_icp: !!s.icp,
    has_police_record: !!s.police_record,
    has_contact: !!(s.contact_phone || s.contact_email), // as the publisher sets it
    has_sponsor: !!s.sponsor, // ASSUMED
    has_error_report: !!s.error_report_url, // ASSUMED
    has_contact_name: !!s.contact_name, // ASSUMED
    has_contact_phone: !!s.contact_phone, // ASSUMED
    has_contact_email: !!s.contact_email, // ASSUMED
    has_logo: !!s.logo_url, // ASSUMED (optional school emblem; the theme has a default)
  };
}

export const COLUMNS = [
  { slug: 'about', name: '学校概况', type: 'page', description: '学校简介、办学理念、校园风貌与联系方式。', keywords: '学校简介,办学理念', update_class: 'static' },
  { slug: 'news', name: '新闻动态', type: 'list', description: '学校重要活动、教育教学与校园生活的新闻报道。', keywords: '校园新闻,学校动态', update_class: 'news' },
  { slug: 'notice', name: '通知公告', type: 'list', description: '面向学生、家长和社会的各类通知与公告。', keywords: '通知,公告', update_class: 'notice' },
  { slug: 'party', name: '党建工作', type: 'list', description: '学校党支部建设、主题教育与党员活动。', keywords: '党建,党支部', update_class: 'news' },
  { slug: 'teaching', name: '教育教学', type: 'list', description: '课程建设、教研活动与教学成果。', keywords: '教研,课程', update_class: 'news' },
  { slug: 'moral', name: '德育天地', type: 'list', description: '德育活动、班级建设与心理健康教育。', keywords: '德育,班主任', update_class: 'news' },
  { slug: 'culture', name: '校园文化', type: 'list', description: '社团、艺术节、科技节与读书活动。', keywords: '社团,艺术节', update_class: 'news' },
  { slug: 'admission', name: '招生信息', type: 'list', description: '招生政策、报名安排与录取公示。', keywords: '招生,入学', update_class: 'notice' },
];

const EXTERNAL_NAV = { name: '闵行教育', url: 'https://edu.example.cn/', external: true };

export function nav(currentSlug) {
  return [
    ...COLUMNS.map((c) => ({ name: c.name, url: `/${c.slug}/`, current: c.slug === currentSlug, external: false })),
    { ...EXTERNAL_NAV, current: false },
  ];
}

const TITLES = {
  news: [
    '我校举行2025学年第二学期开学典礼暨“强国复兴有我”主题升旗仪式',
    '七年级开展“走进闵行”社会实践研学活动',
    '我校学生在上海市青少年科技创新大赛中荣获一等奖',
    '区教育局领导来校调研课后服务工作',
    '“书香校园”读书节闭幕式暨优秀读书笔记表彰会举行',
    '我校举办2025年春季田径运动会',
    '九年级家长会顺利召开，共话中考备考',
    '我校与华东师范大学开展教育实习合作签约',
    '校园食品安全专项检查工作纪实',
    '开展消防应急疏散演练，提升师生安全意识',
    '我校教师在区青年教师教学评比中获佳绩',
    '劳动教育实践基地揭牌仪式举行',
  ],
  notice: [
    '关于2025年清明节放假安排的通知',
    '关于开展2025年春季学期学生体质健康测试的通知',
    '关于做好校园周边交通安全工作的告家长书',
    '2025年暑期学生安全教育告家长书',
    '关于调整学校作息时间的通知',
    '关于征集校园文化节节徽设计方案的公告',
    '学校食堂2025年第二季度食材供应商遴选结果公示',
    '关于组织学生参加区中小学生艺术节的通知',
  ],
  party: [
    '学校党支部召开2025年度组织生活会',
    '开展“学习贯彻党的二十届三中全会精神”专题学习',
    '党员教师志愿服务队走进社区开展义务辅导',
    '学校党支部开展“七一”主题党日活动',
    '党风廉政建设专题教育会议召开',
  ],
  teaching: [
    '初中数学大单元教学设计区级展示课在我校举行',
    '我校召开2025学年教学工作会议',
    '英语组开展“读写结合”主题教研活动',
    '信息科技课程人工智能模块教学研讨',
    '我校“双新”课程实施经验在区内交流',
    '青年教师“一课三研”活动圆满结束',
  ],
  moral: [
    '“我们的节日·端午”主题班会展示活动',
    '心理健康教育月系列活动启动',
    '优秀班集体与文明班级评选结果揭晓',
    '学生志愿者参与社区垃圾分类宣传',
  ],
  culture: [],
  admission: [
    '2025年闵行区义务教育阶段学校招生入学工作实施细则解读',
    '我校2025年六年级新生入学报名须知',
    '2025年一年级新生入学信息登记操作指南',
    '2025年新生录取名单公示',
  ],
};

function pad(n) {
  return String(n).padStart(2, '0');
}

// Items of one column, newest first, deterministic dates.
export function items(slug, count = 8, offset = 0) {
  const titles = TITLES[slug] || [];
  if (titles.length === 0) return [];
  const col = COLUMNS.find((c) => c.slug === slug);
  const base = Date.UTC(2025, 5, 18); // 2025-06-18
  const out = [];
  for (let i = 0; i < count; i++) {
    const k = offset + i;
    const d = new Date(base - (k * 3 + (slug.length % 3)) * 86400000);
    const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const title = titles[k % titles.length] + (k >= titles.length ? `（${Math.floor(k / titles.length) + 1}）` : '');
    const id = 1000 + COLUMNS.indexOf(col) * 100 + k;
    const hasCover = slug === 'news' && k % 4 === 0;
    out.push({
      title,
      url: `/a/${id}.html`,
      date,
      datetime: `${date}T09:30:00+08:00`,
      pinned: slug === 'notice' && k === 0,
      summary: k % 3 === 2 ? '' : `${title}。本文介绍了活动的背景、过程与成效，欢迎师生和家长关注。`,
      has_summary: k % 3 !== 2, // ASSUMED
      column_name: col.name,
      has_cover: hasCover,
      cover: hasCover ? { url: `/_media/3f/3f9a${pad(k % 12)}c1.svg`, alt: `${title}现场照片` } : { url: '', alt: '' },
    });
  }
  return out;
}

export function meta(kind, extra = {}) {
  const m = [
    { name: 'SiteName', content: SITE_NAME },
    { name: 'SiteDomain', content: 'ms103.demo.test' },
    { name: 'SiteIDCode', content: '3101120099' },
  ];
  if (kind === 'column' || kind === 'article') {
    m.push(
      { name: 'ColumnName', content: extra.column.name },
      { name: 'ColumnDescription', content: extra.column.description },
      { name: 'ColumnKeywords', content: extra.column.keywords },
      { name: 'ColumnType', content: extra.column.name },
    );
  }
  if (kind === 'article') {
    const a = extra.article;
    m.push(
      { name: 'ArticleTitle', content: a.title },
      { name: 'PubDate', content: `${a.date} 09:30` },
      { name: 'ContentSource', content: a.source || SITE_NAME },
      { name: 'Keywords', content: extra.column.keywords },
      { name: 'Author', content: a.author || '' },
      { name: 'Description', content: a.summary },
      { name: 'Image', content: a.has_cover ? a.cover.url : '' },
      { name: 'Url', content: `https://ms103.demo.test${a.url}` },
    );
  }
  return m;
}

function flags(kind) {
  return {
    is_home: kind === 'home',
    is_list: kind === 'list',
    is_article: kind === 'article',
    is_page: kind === 'page',
    is_search: kind === 'search',
    is_404: kind === '404',
  };
}

function modeLinks(path) {
  const back = encodeURIComponent(path);
  return {
    large_url: `/_zq/mode?set=large&back=${back}`,
    contrast_url: `/_zq/mode?set=contrast&back=${back}`,
    reset_url: `/_zq/mode?set=reset&back=${back}`,
  };
}

function common(theme, kind, path, title, currentSlug, crumbs, metaTags, description = '', keywords = '') {
  return {
    site: site(theme),
    nav: nav(currentSlug),
    page: {
      title: title ? `${title} - ${SITE_NAME}` : SITE_NAME,
      description: description || `${SITE_NAME}官方网站`,
      keywords: keywords || '启智实验学校,闵行区,学校网站',
      path,
      meta: metaTags,
      ...flags(kind),
    },
    mode: modeLinks(path),
    breadcrumbs: [{ name: '首页', url: '/', last: crumbs.length === 0 }, ...crumbs.map((c, i) => ({ ...c, last: i === crumbs.length - 1 }))],
    search_url: '/search',
  };
}

export function home(theme, perColumn = 8) {
  const blockSlugs = ['news', 'notice', 'party', 'teaching', 'moral', 'culture', 'admission'];
  const news = items('news', 12);
  const headlines = [news[0], items('notice', 1)[0], news[1], items('party', 1)[0], news[2]];
  return {
    ...common(theme, 'home', '/index.html', '', null, [], meta('home')),
    headlines,
    blocks: blockSlugs.map((slug) => {
      const col = COLUMNS.find((c) => c.slug === slug);
      const its = items(slug, perColumn);
      return { column: { name: col.name, url: `/${slug}/` }, items: its, has_items: its.length > 0 };
    }),
  };
}

export function list(theme, slug, pageNo, totalPages, totalItems, pageSize = 20) {
  const col = COLUMNS.find((c) => c.slug === slug);
  const path = pageNo === 1 ? `/${slug}/index.html` : `/${slug}/${pageNo}.html`;
  const url = (n) => (n === 1 ? `/${slug}/` : `/${slug}/${n}.html`);
  const count = totalItems === 0 ? 0 : Math.min(pageSize, totalItems - (pageNo - 1) * pageSize);
  const its = totalItems === 0 ? [] : items(slug, count, (pageNo - 1) * pageSize);
  return {
    ...common(theme, 'list', path, col.name, slug, [{ name: col.name, url: `/${slug}/` }], meta('column', { column: col }), col.description, col.keywords),
    column: { name: col.name, description: col.description, has_description: !!col.description /* ASSUMED */, url: `/${slug}/`, update_class: col.update_class },
    items: its,
    pagination: {
      current: pageNo,
      total_pages: Math.max(totalPages, 1),
      total_items: totalItems,
      has_prev: pageNo > 1,
      prev_url: pageNo > 1 ? url(pageNo - 1) : '',
      has_next: pageNo < totalPages,
      next_url: pageNo < totalPages ? url(pageNo + 1) : '',
      pages: Array.from({ length: Math.max(totalPages, 1) }, (_, i) => ({ number: i + 1, url: url(i + 1), current: i + 1 === pageNo })),
    },
  };
}

const BODY_FULL = `<p>6月16日上午，我校在操场隆重举行2025学年第二学期开学典礼暨“强国复兴有我”主题升旗仪式。全体师生以饱满的精神面貌迎接新学期的到来，<strong>区教育局相关领导</strong>应邀出席。</p>
<figure><img src="/_media/9c/9c41d2e0a7.svg" alt="开学典礼上全体师生在操场列队参加升旗仪式" width="960" height="540"><figcaption>开学典礼现场</figcaption></figure>
<h2>一、庄严的升旗仪式</h2>
<p>典礼在雄壮的国歌声中拉开帷幕。国旗班的同学们步伐整齐，五星红旗冉冉升起，全体师生行注目礼。</p>
<h2>二、新学期作息安排</h2>
<p>为保障学生充足睡眠和课后服务质量，本学期作息时间如下表（如遇调整，以学校<a href="/notice/">通知公告</a>为准）：</p>
<table><caption>2025学年第二学期作息时间表</caption><thead><tr><th scope="col">时段</th><th scope="col">星期一至星期四</th><th scope="col">星期五</th><th scope="col">备注</th></tr></thead><tbody><tr><td>到校</td><td>7:30—7:50</td><td>7:30—7:50</td><td>晨读</td></tr><tr><td>上午课程</td><td>8:00—11:40</td><td>8:00—11:40</td><td>每节40分钟</td></tr><tr><td>午餐与午休</td><td>11:40—12:40</td><td>11:40—12:40</td><td>食堂分批就餐</td></tr><tr><td>下午课程</td><td>12:50—15:30</td><td>12:50—14:50</td><td>含大课间活动</td></tr><tr><td>课后服务</td><td>15:40—17:30</td><td>15:00—16:30</td><td>自愿参加</td></tr></tbody></table>
<h3>注意事项</h3>
<ul><li>请家长按时接送，不在校门口长时间停车；</li><li>学生如需请假，请提前联系班主任；</li><li>课后服务报名通过班主任统一登记。</li></ul>
<h2>三、校长寄语</h2>
<blockquote><p>新学期是新的起点。希望同学们志存高远、脚踏实地，在学习中收获成长，在实践中锤炼品格。</p></blockquote>
<p>典礼最后，校长为上学期获得“优秀学生”“进步之星”称号的同学颁发了证书。新学期的工作重点包括：</p>
<ol><li>深化“双新”课程实施，推进大单元教学；</li><li>加强劳动教育和体育锻炼，确保每天校园体育活动时间不少于2小时；</li><li>做好家校沟通，办好家长学校。</li></ol>`;

const BODY_WIDE = `<p>现将2025年第二季度食材供应商遴选结果公示如下，公示期为5个工作日。如有异议，请在公示期内向学校办公室反映。</p>
<div class="table-wrap" role="region" tabindex="0" aria-label="表格（可左右滚动）"><table style="width: 1100px"><thead><tr><th scope="col">序号</th><th scope="col">供应商名称</th><th scope="col">统一社会信用代码</th><th scope="col">供应品类</th><th scope="col">资质证书编号</th><th scope="col">联系人</th><th scope="col">评分</th><th scope="col">结果</th></tr></thead><tbody><tr><td>1</td><td>上海某某农副产品有限公司</td><td>91310112MA1GXXXXXX</td><td>蔬菜、水果</td><td>JY13101120000001</td><td>王先生</td><td>95.5</td><td>入选</td></tr><tr><td>2</td><td>上海某某肉类食品有限公司</td><td>91310112MA1GYYYYYY</td><td>猪肉、禽类</td><td>JY13101120000002</td><td>李女士</td><td>93.0</td><td>入选</td></tr><tr><td>3</td><td>上海某某粮油贸易有限公司</td><td>91310112MA1GZZZZZZ</td><td>米、面、食用油</td><td>JY13101120000003</td><td>张先生</td><td>88.5</td><td>备选</td></tr></tbody></table></div>
<p>联系电话：021-6400 0000（工作日 8:30—16:30）。</p>`;

export function article(theme, variant = 'full') {
  const col = COLUMNS.find((c) => c.slug === (variant === 'full' ? 'news' : 'notice'));
  const full = variant === 'full';
  const it = full ? items('news', 1)[0] : items('notice', 7)[6];
  const a = {
    title: it.title,
    subtitle: full ? '——新学期，新起点，新征程' : '',
    author: full ? '校办 陈老师' : '',
    source: full ? '上海市闵行区启智实验学校' : '',
    date: it.date,
    datetime: it.datetime,
    url: it.url,
    body: full ? BODY_FULL : BODY_WIDE,
    summary: it.summary || it.title,
    has_attachments: full,
    attachments: full
      ? [
          { name: '2025学年第二学期校历.pdf', url: '/_media/a1/a1b2c3d4e5.pdf', size_text: '256 KB' },
          { name: '课后服务报名表.docx', url: '/_media/b7/b7e8f9a0c1.docx', size_text: '38 KB' },
        ]
      : [],
    has_cover: it.has_cover,
    cover: it.cover,
    has_subtitle: full, // ASSUMED
    has_author: full, // ASSUMED
    has_source: full, // ASSUMED
  };
  const data = {
    ...common(theme, 'article', a.url, `${a.title}`, col.slug, [{ name: col.name, url: `/${col.slug}/` }, { name: a.title, url: a.url }], meta('article', { column: col, article: a }), a.summary, col.keywords),
    column: { name: col.name, url: `/${col.slug}/` },
    article: a,
  };
  if (full) {
    const n = items('news', 3);
    data.prev = { title: n[1].title, url: n[1].url };
  } else {
    const n = items('notice', 6);
    data.next = { title: n[5].title, url: n[5].url };
  }
  return data;
}

export function page(theme, withArticle = true) {
  const col = COLUMNS.find((c) => c.slug === 'about');
  const body = `<p>上海市闵行区启智实验学校创办于1998年，是一所九年一贯制公办学校，现有教学班48个，学生2000余名，教职工180余名。</p>
<h2>办学理念</h2>
<p>学校秉承“启智明德，和而不同”的校训，坚持“为每一个学生的终身发展奠基”的办学理念，努力办好人民满意的教育。</p>
<h2>校园风貌</h2>
<p><img src="/_media/5d/5d7e8f9a0b.svg" alt="学校教学楼和操场全景" width="960" height="540"></p>
<p>学校占地面积约3.2万平方米，拥有标准化运动场、室内体育馆、图书馆、创新实验室和劳动教育基地。</p>`;
  const data = {
    ...common(theme, 'page', '/about/index.html', col.name, 'about', [{ name: col.name, url: '/about/' }], meta('column', { column: col }), col.description, col.keywords),
    column: { name: col.name, url: '/about/', description: col.description, has_description: true /* ASSUMED */ },
  };
  if (withArticle) {
    data.article = {
      title: '学校简介', subtitle: '', author: '', source: '', date: '2025-03-01', datetime: '2025-03-01T10:00:00+08:00',
      url: '/a/1000.html', body, summary: '学校简介', has_attachments: false, attachments: [], has_cover: false, cover: { url: '', alt: '' },
      has_subtitle: false, has_author: false, has_source: false,
    };
  }
  return data;
}

export function search(theme, query, withResults) {
  const results = withResults
    ? [
        { title: '我校举行2025学年第二学期开学典礼暨“强国复兴有我”主题升旗仪式', url: '/a/1100.html', date: '2025-06-16', column: '新闻动态',
          snippet: '6月16日上午，我校在操场隆重举行2025学年第二学期<mark>开学典礼</mark>暨“强国复兴有我”主题升旗仪式……' },
        { title: '关于2025年秋季开学安排的通知', url: '/a/1213.html', date: '2025-05-20', column: '通知公告',
          snippet: '各位家长：根据区教育局统一部署，2025年秋季学期<mark>开学典礼</mark>定于9月1日上午8:00举行……' },
        { title: '党员教师在开学典礼上重温入党誓词', url: '/a/1304.html', date: '2024-09-02', column: '党建工作',
          snippet: '在<mark>开学典礼</mark>上，学校党支部组织全体党员教师重温入党誓词……' },
      ]
    : [];
  const path = '/search';
  return {
    ...common(theme, 'search', path, '站内搜索', null, [{ name: '站内搜索', url: '/search' }], meta('home')),
    query,
    has_results: withResults,
    total: results.length,
    results,
    pagination: {
      current: 1, total_pages: 1, total_items: results.length, has_prev: false, prev_url: '', has_next: false, next_url: '',
      pages: [{ number: 1, url: `/search?q=${encodeURIComponent(query)}&page=1`, current: true }],
    },
  };
}

export function notFound(theme) {
  return common(theme, '404', '/404.html', '页面未找到', null, [{ name: '页面未找到', url: '/404.html' }], meta('home'));
}

// Every sample page: [output path under the site root, template, data].
// sizes: list_page_size and home_items_per_column from the theme's theme.toml.
export function allPages(theme, { pageSize = 20, perColumn = 8 } = {}) {
  const total = pageSize * 4 + Math.ceil(pageSize / 2); // 5 pages, the last one half full
  return [
    ['index.html', 'home', home(theme, perColumn)],
    ['news/index.html', 'list', list(theme, 'news', 1, 5, total, pageSize)],
    ['news/3.html', 'list', list(theme, 'news', 3, 5, total, pageSize)],
    ['news/5.html', 'list', list(theme, 'news', 5, 5, total, pageSize)],
    ['culture/index.html', 'list', list(theme, 'culture', 1, 1, 0)],
    ['a/1100.html', 'article', article(theme, 'full')],
    ['a/1206.html', 'article', article(theme, 'wide')],
    ['about/index.html', 'page', page(theme, true)],
    // also: a site whose optional footer fields are empty (they must not show)
    ['about-empty/index.html', 'page', { ...page(theme, false), site: withFlags({ ...site(theme), police_record: '', error_report_url: '', contact_email: '', site_id_code: '' }) }],
    ['search.html', 'search', search(theme, '开学典礼', true)],
    ['search-empty.html', 'search', search(theme, '校车<时刻表> & "路线"', false)],
    ['404.html', '404', notFound(theme)],
  ];
}
