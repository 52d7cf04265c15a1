import type { Block, ParsedDocument } from '../../../src/core/index.ts';

/** Help-center text written for these tests: an English and a Chinese article, paragraph by paragraph. */
export const englishRefunds = [
  'Refunds are always issued to the original payment method. If you paid by credit card, the money usually appears on your statement within 5 to 10 business days, depending on your bank. If you paid with PayPal, the refund is normally visible within 24 hours. We cannot send a refund to a different card or account, e.g. a card you added after the purchase.',
  'Monthly plans can be refunded in full within the first 14 days. After that, cancelling stops the next renewal but does not refund the current month. Annual plans are refunded pro rata: you get back the unused months, minus any discount you received for paying upfront. Add-ons such as extra storage follow the plan they are attached to.',
  'To request a refund, open Billing > Invoices, find the invoice and choose Request refund. Give a short reason; it helps us improve the product. You will receive an email when the request is approved, usually within one business day. Dr. Alvarez and the billing team review requests that mention a disputed charge by hand.',
  'If the Request refund button is greyed out, the invoice is older than 12 months or was paid by bank transfer. In that case, contact support at https://help.example.com/contact.html and quote the invoice number, i.e. the code that starts with INV. Refunds for invoices paid in another currency are converted at the rate of the day the refund is made, so the amount may differ slightly from what you paid.',
  'Cancelling your subscription does not delete your workspace. Your data stays available in read-only mode for 90 days, and you can export it at any time from Settings > Data export. Version 4.2 of the desktop app also keeps a local copy in the file workspace-backup.json. After 90 days, the workspace and all its files are permanently deleted and cannot be restored.',
];

export const chineseRefunds = [
  '退款将原路退回到您付款时使用的支付方式。使用信用卡付款的，款项通常会在五到十个工作日内到账，具体时间取决于发卡银行。使用支付宝或微信支付的，退款一般在二十四小时内到账。我们无法将退款转到其他银行卡或账户，例如您在购买之后才绑定的银行卡。',
  '月度套餐在购买后的十四天内可以申请全额退款。超过十四天后，取消订阅只会停止下一次自动续费，不会退还当月费用。年度套餐按剩余月份折算退款；如果您在购买时享受了年付折扣，折扣部分将从退款中扣除。额外存储空间等附加服务，按照其所属套餐的规则处理。',
  '如需申请退款，请打开“账单”页面，找到对应的发票，然后点击“申请退款”。请简要说明退款原因，这能帮助我们改进产品！审核通过后，您会收到一封确认邮件，通常在一个工作日内完成。涉及争议扣款的申请，将由账单团队人工审核。',
  '为什么“申请退款”按钮是灰色的？这通常是因为发票已超过十二个月，或者该发票是通过银行转账支付的。遇到这种情况，请联系客服并提供发票编号；发票编号以INV开头。以其他币种支付的发票，将按退款当天的汇率换算，因此退款金额可能与您实际支付的金额略有差异。',
  '取消订阅不会删除您的工作区。您的数据将以只读方式保留九十天，在此期间您可以随时在“设置”中导出全部数据。九十天后，工作区及其中的所有文件将被永久删除，且无法恢复。',
];

export function documentOf(blocks: Block[], title: string | null = 'Help'): ParsedDocument {
  return { title, contentType: 'text/markdown', blocks, metadata: {} };
}

export function heading(level: number, text: string): Block {
  return { kind: 'heading', level, text };
}

export function paragraph(text: string, page?: number): Block {
  return page === undefined ? { kind: 'paragraph', text } : { kind: 'paragraph', text, page };
}

export function paragraphs(texts: readonly string[]): Block[] {
  return texts.map((text) => paragraph(text));
}
