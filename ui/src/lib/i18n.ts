// Every string the wall shows, in Simplified Chinese (the default) and English.
// Components look words up by key; a missing key is a type error, not a blank.

import type { Language } from "../bindings/Language";

const zh = {
  title: "慈溪市社会治理中心",
  subtitle: "基层社会治理综合指挥平台",
  governance: "治理平台",
  video: "视联网",
  simulated: "模拟数据",
  link_connecting: "连接中",
  link_live: "在线",
  link_lagging: "延迟",
  link_down: "中断",
  panel_map: "网格态势",
  panel_ticker: "实时预警",
  panel_kpi: "核心指标",
  panel_trend: "趋势分析",
  panel_video: "视联网监控",
  waiting: "等待数据",
  grids: "网格",
  speed: "倍速",
  lang_switch: "EN",
  weekdays: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
};

type Dict = typeof zh;

const en: Dict = {
  title: "Cixi Social Governance Centre",
  subtitle: "Grassroots governance command platform",
  governance: "Governance",
  video: "Video network",
  simulated: "Simulated",
  link_connecting: "connecting",
  link_live: "live",
  link_lagging: "lagging",
  link_down: "down",
  panel_map: "Grid situation",
  panel_ticker: "Live alerts",
  panel_kpi: "Key indicators",
  panel_trend: "Trends",
  panel_video: "Video network",
  waiting: "Waiting for data",
  grids: "grids",
  speed: "speed",
  lang_switch: "中文",
  weekdays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
};

export type Key = Exclude<keyof Dict, "weekdays">;

export function dictionary(lang: Language): Dict {
  return lang === "en" ? en : zh;
}
