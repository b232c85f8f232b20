// Seeded synthetic catalogue items: realistic 200-600 character Chinese texts built from a technical vocabulary.
const TOPICS: Record<string, string[]> = {
  新能源: ['锂离子电池', '健康状态', '储能电站', '钙钛矿', '光伏组件', '电解水制氢', '固态电解质', '风电机组', '充电桩', '电池管理系统', '正极材料', '负极材料', '热失控', '逆变器', '微电网'],
  生物医药: ['单克隆抗体', '肿瘤免疫', '基因编辑', '核酸检测', '微流控芯片', '脂质纳米颗粒', 'mRNA疫苗', '医疗器械', '影像诊断', '中药复方', '细胞治疗', '生物发酵', '蛋白表达', '药物递送', '体外诊断'],
  人工智能: ['深度学习', '机器视觉', '缺陷检测', '自然语言处理', '知识图谱', '边缘计算', '毫米波雷达', '传感器', '物联网', '数字孪生', '联邦学习', '大模型', '语音识别', '目标检测', '推荐算法'],
  先进材料: ['复合材料', '碳纤维', '石墨烯', '导热材料', '气凝胶', '高熵合金', '防腐涂料', '可降解塑料', '稀土永磁', '陶瓷基', '纳米材料', '聚合物', '激光熔覆', '粉末冶金', '表面改性'],
  智能制造: ['工业机器人', '数控机床', '热误差补偿', '增材制造', '焊缝检测', '无损检测', 'AGV调度', '注塑成型', '减速器', '预测性维护', '柔性产线', '视觉引导', '力控打磨', '工艺优化', '装配线'],
  农业食品: ['小麦育种', '分子标记', '植保无人机', '变量喷施', '水肥一体化', '益生菌', '果蔬保鲜', '食品安全', '智慧养殖', '秸秆还田', '土壤改良', '病虫害识别', '茶叶加工', '冷链物流', '功能食品'],
}
const VERBS = ['提高', '降低', '优化', '实现', '解决', '改善', '突破', '提升', '控制', '监测']
const NOUNS = ['效率', '成本', '稳定性', '精度', '寿命', '良品率', '能耗', '可靠性', '安全性', '一致性']
const FRAMES = [
  '本项目针对{a}领域中{b}存在的问题，提出了一种基于{c}的新方法，能够{v}{n}。',
  '研究团队围绕{a}与{b}的关键技术开展攻关，开发了{c}相关的核心算法和装置，在示范应用中{v}{n}约{p}%。',
  '该技术将{a}与{c}相结合，形成了完整的{b}解决方案，适用于工业现场的规模化应用，可{v}{n}。',
  '通过对{b}过程的系统分析，建立了{a}模型，并在{c}场景中完成验证，结果表明{n}{v}{p}%以上。',
  '现有{a}技术存在{n}不足的问题，本成果采用{c}和{b}协同设计，显著{v}了产品{n}。',
]

/** mulberry32: small, fast, seeded. */
export function rng(seed: number) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SyntheticItem {
  external_id: string
  title: string
  summary: string
  industry: string
  keywords: string[]
  maturity: string
  transfer_modes: string[]
}

export function* synthetic(n: number, seed = 42): Generator<SyntheticItem> {
  const r = rng(seed)
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!
  const industries = Object.keys(TOPICS)
  for (let i = 0; i < n; i++) {
    const industry = pick(industries)
    const words = TOPICS[industry]!
    const other = TOPICS[pick(industries)]!
    const target = 200 + Math.floor(r() * 400)
    let text = ''
    while (text.length < target) {
      const pool = r() < 0.8 ? words : other
      text += pick(FRAMES)
        .replace('{a}', pick(pool)).replace('{b}', pick(pool)).replace('{c}', pick(pool))
        .replace('{v}', pick(VERBS)).replace('{n}', pick(NOUNS)).replace('{p}', String(5 + Math.floor(r() * 60)))
    }
    const kw = [pick(words), pick(words), pick(words)]
    yield {
      external_id: `SYN-${seed}-${i}`,
      title: `${pick(words)}${pick(['关键技术', '系统', '方法', '装置', '工艺', '平台'])}${i}`,
      summary: text.slice(0, 600),
      industry,
      keywords: [...new Set(kw)],
      maturity: pick(['实验室', '小试', '中试', '产业化']),
      transfer_modes: [pick(['转让', '许可', '合作开发', '技术服务'])],
    }
  }
}
