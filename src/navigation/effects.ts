// 技术功效: the effects a patent claims, found in its abstract by a lexicon of phrases (written for Chinese patent
// abstracts: "提高了...效率", "降低成本", "延长使用寿命"...). An effect is found when one of its phrases occurs, or when
// one of its "improve" verbs is followed, within a few characters, by one of its objects.

export interface Effect {
  name: string
  /** phrases that name the effect outright */
  phrases: string[]
  /** verbs that, followed within 8 characters by an object, name it ("提高了电池的能量密度") */
  verbs?: string[]
  objects?: string[]
}

const UP = ['提高', '提升', '增加', '增大', '增强', '改善', '改进', '优化', '保证', '确保']
const DOWN = ['降低', '减少', '减小', '节约', '节省', '缩短', '避免', '抑制', '防止']

export const EFFECTS: Effect[] = [
  { name: '提高效率', phrases: ['高效', '效率高', '快速', '省时', '自动化程度高'], verbs: UP, objects: ['效率', '速度', '产率', '产量', '吞吐', '转化率', '利用率', '产能'] },
  { name: '降低成本', phrases: ['低成本', '成本低', '造价低', '廉价', '经济性好', '性价比'], verbs: DOWN, objects: ['成本', '费用', '造价', '原料消耗', '投资'] },
  { name: '提高安全性', phrases: ['安全性高', '安全可靠', '防爆', '阻燃', '防火', '防漏电', '热失控'], verbs: [...UP, ...DOWN], objects: ['安全', '事故', '风险', '危险', '泄漏', '爆炸', '起火'] },
  { name: '延长寿命', phrases: ['寿命长', '长寿命', '耐用', '耐磨', '耐腐蚀', '抗老化', '循环稳定性'], verbs: [...UP, '延长'], objects: ['寿命', '耐久', '循环性能', '循环次数', '使用期'] },
  { name: '提高精度', phrases: ['高精度', '精度高', '准确率高', '误差小', '精准', '精确'], verbs: [...UP, ...DOWN], objects: ['精度', '准确', '准确性', '准确率', '分辨率', '误差', '灵敏度', '检测限'] },
  { name: '节能降耗', phrases: ['节能', '低功耗', '能耗低', '功耗低', '低能耗', '余热回收'], verbs: DOWN, objects: ['能耗', '功耗', '耗电', '能量损失', '热损失', '损耗'] },
  { name: '提高稳定性', phrases: ['稳定性好', '稳定性高', '运行稳定', '性能稳定', '可靠性高', '鲁棒'], verbs: UP, objects: ['稳定性', '可靠性', '一致性', '鲁棒性'] },
  { name: '环保减排', phrases: ['环保', '绿色', '无污染', '零排放', '可降解', '无毒'], verbs: DOWN, objects: ['污染', '排放', '废水', '废气', '废渣', '二氧化碳'] },
  { name: '简化结构', phrases: ['结构简单', '结构紧凑', '体积小', '小型化', '轻量化', '易于安装', '便于拆装', '操作简便', '使用方便'], verbs: [...DOWN, '简化'], objects: ['体积', '重量', '零件', '工序', '步骤', '结构'] },
  { name: '提高性能', phrases: ['能量密度高', '高强度', '高导电', '高性能', '性能优异'], verbs: UP, objects: ['性能', '强度', '容量', '能量密度', '功率密度', '导电性', '硬度', '韧性', '纯度'] },
]

const GAP = 8

/** Names of the effects found in a text (in lexicon order, each once). Linear in the text length times the lexicon. */
export function effectsOf(text: string, lexicon: Effect[] = EFFECTS): string[] {
  const s = text.normalize('NFKC')
  const found: string[] = []
  for (const e of lexicon) {
    if (e.phrases.some((p) => s.includes(p)) || (e.verbs && e.objects && verbThenObject(s, e.verbs, e.objects))) found.push(e.name)
  }
  return found
}

function verbThenObject(s: string, verbs: string[], objects: string[]): boolean {
  for (const v of verbs) {
    let at = s.indexOf(v)
    while (at >= 0) {
      const window = s.slice(at + v.length, at + v.length + GAP + 6)
      for (const o of objects) {
        const j = window.indexOf(o)
        if (j >= 0 && j <= GAP && !/[，。；,;]/.test(window.slice(0, j))) return true
      }
      at = s.indexOf(v, at + v.length)
    }
  }
  return false
}
